import Type from 'typebox'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { ConfigError, LOG_LEVELS, checkHttpUrl, readEnv } from '@repo/service-kit/env'

/** Everything the consumer service needs to run. Tests build this object directly. */
export interface ConsumerConfig {
  port: number
  host: string
  /** The one issuer whose tokens are accepted; compared byte for byte with `iss`. */
  issuer: string
  /** This service's identifier; tokens must list it in `aud`. */
  audience: string
  /** Explicit JWKS URL; undefined means "discover it from the issuer". */
  jwksUrl: string | undefined
  allowedAlgs: SigningAlgorithm[]
  clockToleranceSeconds: number
  /** Upper bound on how long a fetched JWKS is used; the issuer's max-age may shorten it. */
  jwksCacheTtlSeconds: number
  /** Least time between two JWKS fetches: the most JWKS traffic any stream of tokens can cause. */
  jwksCooldownSeconds: number
  jwksFetchTimeoutMs: number
  /** How long known keys keep working after the last successful fetch when the JWKS is unreachable. */
  jwksMaxStaleSeconds: number
  /** How long a verified token is remembered (0: never); never longer than JWKS_CACHE_TTL_SECONDS. */
  verifiedTokenCacheSeconds: number
  dataDir: string
  logLevel: string
  prettyLogs: boolean
}

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  ISSUER: Type.String({ minLength: 1, default: 'http://localhost:3001' }),
  AUDIENCE: Type.String({ minLength: 1, default: 'consumer-service' }),
  JWKS_URL: Type.Optional(Type.String()),
  ALLOWED_ALGS: Type.String({ default: SIGNING_ALGORITHMS.join(',') }),
  CLOCK_TOLERANCE_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 5 }),
  JWKS_CACHE_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 86400, default: 300 }),
  JWKS_COOLDOWN_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
  JWKS_FETCH_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 2000 }),
  JWKS_MAX_STALE_SECONDS: Type.Integer({ minimum: 0, maximum: 604800, default: 3600 }),
  VERIFIED_TOKEN_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 86400, default: 60 }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info' })
})

/** `RS256,ES256` → the list; anything outside the asymmetric algorithms the contract knows is refused. */
export function parseAllowedAlgs (value: string): SigningAlgorithm[] {
  const algs = value.split(',').map((alg) => alg.trim()).filter((alg) => alg.length > 0)
  const unknown = algs.filter((alg) => !(SIGNING_ALGORITHMS as readonly string[]).includes(alg))
  if (algs.length === 0 || unknown.length > 0) {
    throw new ConfigError(`invalid configuration: ALLOWED_ALGS must list some of ${SIGNING_ALGORITHMS.join(', ')}; refused: ${unknown.join(', ') || '(empty)'}`)
  }
  return [...new Set(algs)] as SigningAlgorithm[]
}

export function loadConfig (env: Record<string, string | undefined>, isTty = false): ConsumerConfig {
  const vars = readEnv(EnvSchema, env)
  const config: ConsumerConfig = {
    port: vars.PORT,
    host: vars.HOST,
    issuer: checkHttpUrl('ISSUER', vars.ISSUER),
    audience: vars.AUDIENCE,
    jwksUrl: vars.JWKS_URL ? checkHttpUrl('JWKS_URL', vars.JWKS_URL, { allowTrailingSlash: true }) : undefined,
    allowedAlgs: parseAllowedAlgs(vars.ALLOWED_ALGS),
    clockToleranceSeconds: vars.CLOCK_TOLERANCE_SECONDS,
    jwksCacheTtlSeconds: vars.JWKS_CACHE_TTL_SECONDS,
    jwksCooldownSeconds: vars.JWKS_COOLDOWN_SECONDS,
    jwksFetchTimeoutMs: vars.JWKS_FETCH_TIMEOUT_MS,
    jwksMaxStaleSeconds: vars.JWKS_MAX_STALE_SECONDS,
    verifiedTokenCacheSeconds: vars.VERIFIED_TOKEN_CACHE_SECONDS,
    dataDir: vars.DATA_DIR,
    logLevel: vars.LOG_LEVEL,
    prettyLogs: isTty
  }
  if (config.jwksCooldownSeconds > config.jwksCacheTtlSeconds) {
    throw new ConfigError('invalid configuration: JWKS_COOLDOWN_SECONDS must not exceed JWKS_CACHE_TTL_SECONDS')
  }
  return config
}
