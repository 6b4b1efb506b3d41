import { VERIFICATION_ALGORITHMS, type VerificationAlgorithm } from '@repo/contracts/access-token'
import { ConfigError, EnvReader, type Rename } from '@repo/service-kit/env'
import {
  DATABASE_SETTINGS, LOG_SETTINGS, METRICS_SETTINGS, listenerSettings
} from '@repo/service-kit/service-settings'
import { readSettings, setting, type SettingsOf } from '@repo/service-kit/settings'
import { parseCorsOrigins } from './cors/cors-origins.js'
import { parsePublicUrl, parseReplayCacheSize } from './dpop/dpop-settings.js'
import { readTrustedIssuers, type TrustedIssuer } from './trusted-issuers.js'

/** Variables renamed when both services moved to one name per concept and one duration syntax. */
export const RENAMED_VARIABLES: readonly Rename[] = [
  { from: 'CLOCK_TOLERANCE_SECONDS', to: 'CLOCK_TOLERANCE', unit: 's' },
  { from: 'JWKS_CACHE_TTL_SECONDS', to: 'JWKS_CACHE_TTL', unit: 's' },
  { from: 'JWKS_COOLDOWN_SECONDS', to: 'JWKS_COOLDOWN', unit: 's' },
  { from: 'JWKS_FETCH_TIMEOUT_MS', to: 'JWKS_FETCH_TIMEOUT', unit: 'ms' },
  { from: 'JWKS_MAX_STALE_SECONDS', to: 'JWKS_MAX_STALE', unit: 's' },
  { from: 'VERIFIED_TOKEN_CACHE_SECONDS', to: 'VERIFIED_TOKEN_CACHE', unit: 's' }
]

/** `RS256,ES256` → the list; anything but an asymmetric JWS algorithm Node verifies is refused. */
export function parseAllowedAlgs (value: string): VerificationAlgorithm[] {
  const algs = value.split(',').map((alg) => alg.trim()).filter((alg) => alg.length > 0)
  const allowed = algs.flatMap((alg) => VERIFICATION_ALGORITHMS.filter((known) => known === alg))
  if (algs.length === 0 || allowed.length < algs.length) {
    const refused = algs.filter((alg) => !allowed.some((known) => known === alg)).join(', ') || '(empty)'
    throw new ConfigError(
      `invalid configuration: ALLOWED_ALGS must list some of ${VERIFICATION_ALGORITHMS.join(', ')}, refused: ${refused}`
    )
  }
  return [...new Set(allowed)]
}

/** `SSF_MAX_ENTRIES`: a whole number from 100 to 10 million (about 100 bytes an entry). */
export function parseMaxEntries (value: string): number {
  const entries = Number(value)
  if (!/^\d+$/.test(value.trim()) || entries < 100 || entries > 10_000_000) {
    const shown = value.slice(0, 40)
    throw new ConfigError(
      `invalid configuration: SSF_MAX_ENTRIES must be a whole number from 100 to 10000000, got "${shown}"`
    )
  }
  return entries
}

/** This service's identifier: the audience of issuers that name none, and the `realm` of its challenges. */
const audience = setting.string('AUDIENCE', { default: 'consumer-service', minLength: 1 })
/** Plain http to issuers that are not on loopback (`ALLOW_INSECURE_ISSUERS`): only on a private network. */
const allowInsecureIssuers = setting.boolean('ALLOW_INSECURE_ISSUERS', { default: false })

/** `TRUSTED_ISSUERS`, or the one-issuer shorthand `ISSUER` (with `JWKS_URL`); never both. */
const trustedIssuers = setting.map(setting.object({
  trustedIssuers: setting.string('TRUSTED_ISSUERS', { minLength: 1 }),
  issuer: setting.string('ISSUER', { default: 'http://localhost:3001', minLength: 1 }),
  jwksUrl: setting.string('JWKS_URL'),
  audience,
  allowInsecure: allowInsecureIssuers,
  ssfClientId: setting.string('SSF_CLIENT_ID'),
  ssfClientSecretFile: setting.string('SSF_CLIENT_SECRET_FILE')
}), (settings, { env }): TrustedIssuer[] => {
  if (settings.trustedIssuers !== undefined && (env.isSet('ISSUER') || env.isSet('JWKS_URL'))) {
    env.problem('TRUSTED_ISSUERS', 'set either TRUSTED_ISSUERS or ISSUER (with JWKS_URL), not both')
  }
  const name = settings.ssfClientId !== undefined || settings.ssfClientSecretFile !== undefined
    ? 'SSF_CLIENT_ID'
    : settings.trustedIssuers === undefined ? 'ISSUER' : 'TRUSTED_ISSUERS'
  const trusted = env.check(name, () => readTrustedIssuers({ ...settings, jwksUrl: settings.jwksUrl || undefined }))
  env.warnings.push(...trusted?.warnings ?? [])
  return trusted?.issuers ?? []
})

/** Every setting of the consumer service, each declared once: its variable, default, bounds and parsing. */
export const CONSUMER_SETTINGS = {
  ...listenerSettings(3000),
  /** The issuers whose tokens are accepted, each picked by an exact match of a token's `iss`. */
  issuers: trustedIssuers,
  audience,
  allowInsecureIssuers,
  allowedAlgs: setting.parsed('ALLOWED_ALGS', { default: 'RS256,ES256,EdDSA', parse: parseAllowedAlgs, fallback: [] }),
  clockToleranceSeconds: setting.duration('CLOCK_TOLERANCE', { default: '5s', unit: 's', max: '5m' }),
  /** Upper bound on how long a fetched JWKS is used; the issuer's max-age may shorten it. */
  jwksCacheTtlSeconds: setting.duration('JWKS_CACHE_TTL', { default: '5m', unit: 's', min: '1s', max: '1d' }),
  /** Least time between two JWKS fetches: the most JWKS traffic any stream of tokens can cause. */
  jwksCooldownSeconds: setting.duration('JWKS_COOLDOWN', { default: '30s', unit: 's', min: '1s', max: '1h' }),
  jwksFetchTimeoutMs: setting.duration('JWKS_FETCH_TIMEOUT', { default: '2s', unit: 'ms', min: '100ms', max: '60s' }),
  /** How long known keys keep working after the last successful fetch when the JWKS is unreachable. */
  jwksMaxStaleSeconds: setting.duration('JWKS_MAX_STALE', { default: '1h', unit: 's', max: '7d' }),
  /** How long a verified token is remembered (0: never); never longer than JWKS_CACHE_TTL. */
  verifiedTokenCacheSeconds: setting.duration('VERIFIED_TOKEN_CACHE', { default: '60s', unit: 's', max: '1d' }),
  /** The origins whose scripts may call the API (CORS); none by default. */
  corsOrigins: setting.parsed('CORS_ORIGINS', { default: '', parse: parseCorsOrigins, fallback: [] }),
  /**
   * The origin clients call this service at, for DPoP proofs' `htu`; unset, each request's own
   * scheme and Host (as TRUST_PROXY lets the service see them).
   */
  publicUrl: setting.parsed<string | undefined>('PUBLIC_URL', { parse: parsePublicUrl, fallback: undefined }),
  /** How far a DPoP proof's `iat` may be from now (besides CLOCK_TOLERANCE): how long its jti is remembered. */
  dpopIatWindowSeconds: setting.duration('DPOP_IAT_WINDOW', { default: '60s', unit: 's', min: '1s', max: '10m' }),
  /** Without DATABASE_URL: the most DPoP proofs remembered in memory (about 150 bytes each). */
  dpopReplayCacheSize: setting.parsed('DPOP_REPLAY_CACHE_SIZE', {
    default: '100000', parse: parseReplayCacheSize, fallback: 100_000
  }),
  /** The `description` of this service's Shared Signals streams (unset: `<hostname>:<PORT>`); one stream per name. */
  ssfReceiverName: setting.string('SSF_RECEIVER_NAME', { minLength: 1 }),
  /** While an issuer's signals are unreachable: keep accepting its tokens (`serve`), or refuse them after the grace. */
  ssfOutage: setting.oneOf('SSF_OUTAGE', ['serve', 'refuse'] as const, { default: 'serve' }),
  ssfOutageGraceMs: setting.duration('SSF_OUTAGE_GRACE', { default: '5m', unit: 'ms', min: '1s', max: '1d' }),
  /**
   * The longest access-token lifetime (`exp − iat`) accepted from an issuer that sends signals: how long a
   * revocation is kept. A longer-lived token of such an issuer is refused: its revocation could be forgotten.
   */
  ssfMaxTokenLifetimeSeconds: setting.duration('SSF_MAX_TOKEN_LIFETIME', {
    default: '1h', unit: 's', min: '1m', max: '1d'
  }),
  /** The most not-before entries kept per issuer; past it the oldest becomes an issuer-wide floor (over-refusing). */
  ssfMaxEntries: setting.parsed('SSF_MAX_ENTRIES', { default: '100000', parse: parseMaxEntries, fallback: 100_000 }),
  /** How long `/health/ready` waits for every signals stream to catch up before it says ready anyway. */
  ssfStartupWaitMs: setting.duration('SSF_STARTUP_WAIT', { default: '10s', unit: 'ms', max: '10m' }),
  ...DATABASE_SETTINGS,
  ...METRICS_SETTINGS,
  ...LOG_SETTINGS
}

/** Everything the consumer service needs to run, as `loadConfig` reads it from the environment. */
export interface ConsumerConfig extends SettingsOf<typeof CONSUMER_SETTINGS> {
  /** Deprecated variables that were read and insecure issuers allowed, for the service to log at start-up. */
  warnings: readonly string[]
}

/** Reads the consumer's configuration; throws one `ConfigError` naming every bad variable. */
export function loadConfig (environment: Record<string, string | undefined>, isTty = false): ConsumerConfig {
  const env = new EnvReader(environment, RENAMED_VARIABLES)
  const config: ConsumerConfig = { ...readSettings(env, CONSUMER_SETTINGS, isTty), warnings: env.warnings }
  const { jwksCooldownSeconds: cooldown, jwksCacheTtlSeconds: cacheTtl } = config
  if (cooldown > cacheTtl) {
    env.problem('JWKS_COOLDOWN', `JWKS_COOLDOWN (${cooldown}s) must not exceed JWKS_CACHE_TTL (${cacheTtl}s)`)
  }
  env.finish()
  return config
}
