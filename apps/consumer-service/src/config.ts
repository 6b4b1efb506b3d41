import Type from 'typebox'
import { VERIFICATION_ALGORITHMS, type VerificationAlgorithm } from '@repo/contracts/access-token'
import { ConfigError, EnvReader, LOG_FORMATS, LOG_LEVELS, parseBoolean, prettyLogs, type Rename } from '@repo/service-kit/env'
import { checkDatabaseUrl } from '@repo/service-kit/sql'
import { REQUEST_TIMEOUT_ENV, REQUEST_TIMEOUT_LIMITS } from '@repo/service-kit/server-options'
import { TLS_ENV, readTlsFiles, type TlsFiles } from '@repo/service-kit/tls'
import { TRUST_PROXY_ENV, parseTrustProxy } from '@repo/service-kit/trust-proxy'
import { readTrustedIssuers, type TrustedIssuer } from './trusted-issuers.js'

/** Everything the consumer service needs to run, as `loadConfig` reads it from the environment. */
export interface ConsumerConfig {
  port: number
  host: string
  /** `TLS_CERT_FILE` and `TLS_KEY_FILE`, read at start-up: serve HTTPS with them; undefined means plain HTTP. */
  tls: TlsFiles | undefined
  /** `REQUEST_TIMEOUT`: a request's headers and body must arrive within it, or it is answered 408 (also on METRICS_PORT). */
  requestTimeoutMs: number
  /** `TRUST_PROXY`: the reverse proxies whose X-Forwarded-For names the client (empty: none). */
  trustProxy: string[]
  /** The issuers whose tokens are accepted, each picked by an exact match of a token's `iss`. */
  issuers: TrustedIssuer[]
  /** This service's identifier: the audience of issuers that name none, and the `realm` of its challenges. */
  audience: string
  allowedAlgs: VerificationAlgorithm[]
  /** Plain http to issuers that are not on loopback (`ALLOW_INSECURE_ISSUERS`): only on a private network. */
  allowInsecureIssuers: boolean
  clockToleranceSeconds: number
  /** Upper bound on how long a fetched JWKS is used; the issuer's max-age may shorten it. */
  jwksCacheTtlSeconds: number
  /** Least time between two JWKS fetches: the most JWKS traffic any stream of tokens can cause. */
  jwksCooldownSeconds: number
  jwksFetchTimeoutMs: number
  /** How long known keys keep working after the last successful fetch when the JWKS is unreachable. */
  jwksMaxStaleSeconds: number
  /** How long a verified token is remembered (0: never); never longer than JWKS_CACHE_TTL. */
  verifiedTokenCacheSeconds: number
  /** Where the SQLite reports database lives (when there is no `databaseUrl`). */
  dataDir: string
  /** `DATABASE_URL`: the reports in PostgreSQL instead of SQLite. */
  databaseUrl: string | undefined
  /** `DATABASE_CONNECT_TIMEOUT`: how long a statement waits for a connection before it is answered 503. */
  databaseConnectTimeoutMs: number
  /** `DATABASE_START_WAIT`: how long the start-up waits for a PostgreSQL server that is not up yet. */
  databaseStartWaitMs: number
  /** `METRICS_ENABLED`: serve `GET /metrics` (Prometheus text). */
  metricsEnabled: boolean
  /** `METRICS_PORT`: serve it on its own listener on HOST; undefined means on `port`, beside the API. */
  metricsPort: number | undefined
  logLevel: string
  prettyLogs: boolean
  /** Deprecated variables that were read, for the service to log at start-up. */
  warnings: readonly string[]
}

/** Variables renamed when both services moved to one name per concept and one duration syntax. */
export const RENAMED_VARIABLES: readonly Rename[] = [
  { from: 'CLOCK_TOLERANCE_SECONDS', to: 'CLOCK_TOLERANCE', unit: 's' },
  { from: 'JWKS_CACHE_TTL_SECONDS', to: 'JWKS_CACHE_TTL', unit: 's' },
  { from: 'JWKS_COOLDOWN_SECONDS', to: 'JWKS_COOLDOWN', unit: 's' },
  { from: 'JWKS_FETCH_TIMEOUT_MS', to: 'JWKS_FETCH_TIMEOUT', unit: 'ms' },
  { from: 'JWKS_MAX_STALE_SECONDS', to: 'JWKS_MAX_STALE', unit: 's' },
  { from: 'VERIFIED_TOKEN_CACHE_SECONDS', to: 'VERIFIED_TOKEN_CACHE', unit: 's' }
]

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  ...TLS_ENV,
  ...REQUEST_TIMEOUT_ENV,
  ...TRUST_PROXY_ENV,
  ISSUER: Type.String({ minLength: 1, default: 'http://localhost:3001' }),
  AUDIENCE: Type.String({ minLength: 1, default: 'consumer-service' }),
  JWKS_URL: Type.Optional(Type.String()),
  TRUSTED_ISSUERS: Type.Optional(Type.String({ minLength: 1 })),
  ALLOW_INSECURE_ISSUERS: Type.Union([Type.Boolean(), Type.String()], { default: 'false' }),
  ALLOWED_ALGS: Type.String({ default: 'RS256,ES256,EdDSA' }),
  CLOCK_TOLERANCE: Type.String({ default: '5s' }),
  JWKS_CACHE_TTL: Type.String({ default: '5m' }),
  JWKS_COOLDOWN: Type.String({ default: '30s' }),
  JWKS_FETCH_TIMEOUT: Type.String({ default: '2s' }),
  JWKS_MAX_STALE: Type.String({ default: '1h' }),
  VERIFIED_TOKEN_CACHE: Type.String({ default: '60s' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_CONNECT_TIMEOUT: Type.String({ default: '5s' }),
  DATABASE_START_WAIT: Type.String({ default: '30s' }),
  METRICS_ENABLED: Type.Union([Type.Boolean(), Type.String()], { default: 'true' }),
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info' }),
  LOG_FORMAT: Type.Enum(LOG_FORMATS, { default: 'auto' })
})

/** `RS256,ES256` → the list; anything but an asymmetric JWS algorithm Node verifies is refused. */
export function parseAllowedAlgs (value: string): VerificationAlgorithm[] {
  const algs = value.split(',').map((alg) => alg.trim()).filter((alg) => alg.length > 0)
  const unknown = algs.filter((alg) => !(VERIFICATION_ALGORITHMS as readonly string[]).includes(alg))
  if (algs.length === 0 || unknown.length > 0) {
    throw new ConfigError(`invalid configuration: ALLOWED_ALGS must list some of ${VERIFICATION_ALGORITHMS.join(', ')}, refused: ${unknown.join(', ') || '(empty)'}`)
  }
  return [...new Set(algs)] as VerificationAlgorithm[]
}

/** Reads the consumer's configuration; throws one `ConfigError` naming every bad variable. */
export function loadConfig (environment: Record<string, string | undefined>, isTty = false): ConsumerConfig {
  const env = new EnvReader(environment, RENAMED_VARIABLES)
  const vars = env.read(EnvSchema)
  if (vars.TRUSTED_ISSUERS !== undefined && (environment.ISSUER !== undefined || environment.JWKS_URL !== undefined)) {
    env.problem('TRUSTED_ISSUERS', 'set either TRUSTED_ISSUERS or ISSUER (with JWKS_URL), not both')
  }
  const trusted = env.check(vars.TRUSTED_ISSUERS === undefined ? 'ISSUER' : 'TRUSTED_ISSUERS', () => readTrustedIssuers({
    trustedIssuers: vars.TRUSTED_ISSUERS,
    issuer: vars.ISSUER,
    jwksUrl: vars.JWKS_URL || undefined,
    audience: vars.AUDIENCE,
    allowInsecure: parseBoolean(vars.ALLOW_INSECURE_ISSUERS)
  }))
  const config: ConsumerConfig = {
    port: vars.PORT,
    host: vars.HOST,
    tls: readTlsFiles(env, vars),
    requestTimeoutMs: env.duration('REQUEST_TIMEOUT', vars.REQUEST_TIMEOUT, REQUEST_TIMEOUT_LIMITS),
    trustProxy: env.check('TRUST_PROXY', () => parseTrustProxy(vars.TRUST_PROXY)) ?? [],
    issuers: trusted?.issuers ?? [],
    audience: vars.AUDIENCE,
    allowInsecureIssuers: parseBoolean(vars.ALLOW_INSECURE_ISSUERS),
    allowedAlgs: env.check('ALLOWED_ALGS', () => parseAllowedAlgs(vars.ALLOWED_ALGS)) ?? [],
    clockToleranceSeconds: env.duration('CLOCK_TOLERANCE', vars.CLOCK_TOLERANCE, { unit: 's', max: '5m' }),
    jwksCacheTtlSeconds: env.duration('JWKS_CACHE_TTL', vars.JWKS_CACHE_TTL, { unit: 's', min: '1s', max: '1d' }),
    jwksCooldownSeconds: env.duration('JWKS_COOLDOWN', vars.JWKS_COOLDOWN, { unit: 's', min: '1s', max: '1h' }),
    jwksFetchTimeoutMs: env.duration('JWKS_FETCH_TIMEOUT', vars.JWKS_FETCH_TIMEOUT, { unit: 'ms', min: '100ms', max: '60s' }),
    jwksMaxStaleSeconds: env.duration('JWKS_MAX_STALE', vars.JWKS_MAX_STALE, { unit: 's', max: '7d' }),
    verifiedTokenCacheSeconds: env.duration('VERIFIED_TOKEN_CACHE', vars.VERIFIED_TOKEN_CACHE, { unit: 's', max: '1d' }),
    dataDir: vars.DATA_DIR,
    databaseUrl: vars.DATABASE_URL === undefined ? undefined : env.check('DATABASE_URL', () => checkDatabaseUrl('DATABASE_URL', vars.DATABASE_URL as string)),
    databaseConnectTimeoutMs: env.duration('DATABASE_CONNECT_TIMEOUT', vars.DATABASE_CONNECT_TIMEOUT, {
      unit: 'ms', min: '100ms', max: '60s'
    }),
    databaseStartWaitMs: env.duration('DATABASE_START_WAIT', vars.DATABASE_START_WAIT, { unit: 'ms', max: '10m' }),
    metricsEnabled: parseBoolean(vars.METRICS_ENABLED),
    metricsPort: vars.METRICS_PORT,
    logLevel: vars.LOG_LEVEL,
    prettyLogs: prettyLogs(vars.LOG_FORMAT, isTty),
    warnings: [...env.warnings, ...(trusted?.warnings ?? [])]
  }
  if (config.jwksCooldownSeconds > config.jwksCacheTtlSeconds) {
    env.problem('JWKS_COOLDOWN', `JWKS_COOLDOWN (${config.jwksCooldownSeconds}s) must not exceed JWKS_CACHE_TTL (${config.jwksCacheTtlSeconds}s)`)
  }
  env.finish()
  return config
}
