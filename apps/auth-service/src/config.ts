import Type from 'typebox'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { ConfigError, EnvReader, LOG_FORMATS, LOG_LEVELS, checkHttpUrl, parseBoolean, parseDuration, prettyLogs, type Rename } from '@repo/service-kit/env'
import { checkDatabaseUrl } from '@repo/service-kit/sql'
import { REQUEST_TIMEOUT_ENV, REQUEST_TIMEOUT_LIMITS } from '@repo/service-kit/server-options'
import { TLS_ENV, readTlsFiles, type TlsFiles } from '@repo/service-kit/tls'
import { TRUST_PROXY_ENV, parseTrustProxy } from '@repo/service-kit/trust-proxy'
import type { CredentialLimits, RateLimit } from './rate-limits/credential-limits.js'

/** Everything the auth service needs to run, as `loadConfig` reads it from the environment. */
export interface AuthConfig {
  port: number
  host: string
  /** `TLS_CERT_FILE` and `TLS_KEY_FILE`, read at start-up: serve HTTPS with them; undefined means plain HTTP. */
  tls: TlsFiles | undefined
  /** `REQUEST_TIMEOUT`: a request's headers and body must arrive within it, or it is answered 408 (also on METRICS_PORT). */
  requestTimeoutMs: number
  /** `TRUST_PROXY`: the reverse proxies whose X-Forwarded-For names the client (empty: none). */
  trustProxy: string[]
  /** The `iss` of every token, and the base of the discovery and JWKS URLs. */
  issuer: string
  /** The `aud` of every token: the resource server the tokens are for. */
  audience: string
  /** The `client_id` claim (RFC 9068 §2.2). */
  clientId: string
  tokenTtlSeconds: number
  signingAlg: SigningAlgorithm
  /** Where the SQLite database holding users and signing keys lives (when there is no `databaseUrl`). */
  dataDir: string
  /** `DATABASE_URL`: PostgreSQL instead of SQLite, for several replicas on one database. */
  databaseUrl: string | undefined
  /** `DATABASE_CONNECT_TIMEOUT`: how long a statement waits for a connection before it is answered 503. */
  databaseConnectTimeoutMs: number
  /** `DATABASE_START_WAIT`: how long the start-up waits for a PostgreSQL server that is not up yet. */
  databaseStartWaitMs: number
  /** `METRICS_ENABLED`: serve `GET /metrics` (Prometheus text). */
  metricsEnabled: boolean
  /** `METRICS_PORT`: serve it on its own listener on HOST; undefined means on `port`, beside the API. */
  metricsPort: number | undefined
  /** `Cache-Control: max-age` of the JWKS: how long consumers may keep it. */
  jwksMaxAgeSeconds: number
  seedDemoUsers: boolean
  /** How long a key signs before its successor takes over. */
  keyRotationIntervalSeconds: number
  /** How long a new key is published before it signs. */
  keyPrepublishSeconds: number
  /** How long a replaced key stays published after its last signature. */
  keyRetireAfterSeconds: number
  /** The clock skew consumers tolerate; only used to check the timing rules. */
  clockToleranceSeconds: number
  /** How often the service runs due key transitions and looks for key changes made by other processes. */
  keyStatePollMs: number
  /** A refresh token unused for this long is dead. */
  refreshTokenIdleTtlSeconds: number
  /** A login's refresh tokens all die this long after it, however often they were rotated. */
  refreshTokenAbsoluteTtlSeconds: number
  /** A rotated refresh token presented again this soon gets the same successor instead of counting as reuse. */
  refreshTokenReuseGraceMs: number
  /** Brute-force limits of `POST /api/v1/auth`, by client IP and by user name. */
  loginRateLimits: CredentialLimits
  /** Brute-force limits of the token and revocation endpoints together, by client IP and by client_id. */
  oauthRateLimits: CredentialLimits
  logLevel: string
  prettyLogs: boolean
  /** Deprecated variables that were read, for the service to log at start-up. */
  warnings: readonly string[]
}

/** Variables renamed when both services moved to one name per concept and one duration syntax. */
export const RENAMED_VARIABLES: readonly Rename[] = [
  { from: 'TOKEN_AUDIENCE', to: 'AUDIENCE' },
  { from: 'TOKEN_TTL_SECONDS', to: 'TOKEN_TTL', unit: 's' },
  { from: 'JWKS_MAX_AGE_SECONDS', to: 'JWKS_MAX_AGE', unit: 's' },
  { from: 'KEY_PREPUBLISH_SECONDS', to: 'KEY_PREPUBLISH', unit: 's' },
  { from: 'KEY_RETIRE_AFTER_SECONDS', to: 'KEY_RETIRE_AFTER', unit: 's' },
  { from: 'CLOCK_TOLERANCE_SECONDS', to: 'CLOCK_TOLERANCE', unit: 's' },
  { from: 'KEY_STATE_POLL_MS', to: 'KEY_STATE_POLL', unit: 'ms' }
]

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  ...TLS_ENV,
  ...REQUEST_TIMEOUT_ENV,
  ...TRUST_PROXY_ENV,
  ISSUER: Type.String({ minLength: 1, default: 'http://localhost:3001' }),
  AUDIENCE: Type.String({ minLength: 1, default: 'consumer-service' }),
  TOKEN_CLIENT_ID: Type.String({ minLength: 1, default: 'demo-client' }),
  TOKEN_TTL: Type.String({ default: '15m' }),
  SIGNING_ALG: Type.Enum(SIGNING_ALGORITHMS, { default: 'RS256' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_CONNECT_TIMEOUT: Type.String({ default: '5s' }),
  DATABASE_START_WAIT: Type.String({ default: '30s' }),
  METRICS_ENABLED: Type.Union([Type.Boolean(), Type.String()], { default: 'true' }),
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  JWKS_MAX_AGE: Type.String({ default: '5m' }),
  SEED_DEMO_USERS: Type.Union([Type.Boolean(), Type.String()], { default: 'true' }),
  KEY_ROTATION_INTERVAL: Type.String({ default: '30d' }),
  KEY_PREPUBLISH: Type.String({ default: '1h' }),
  KEY_RETIRE_AFTER: Type.Optional(Type.String()),
  CLOCK_TOLERANCE: Type.String({ default: '60s' }),
  KEY_STATE_POLL: Type.String({ default: '1s' }),
  REFRESH_TOKEN_IDLE_TTL: Type.String({ default: '1d' }),
  REFRESH_TOKEN_TTL: Type.String({ default: '30d' }),
  REFRESH_TOKEN_REUSE_GRACE: Type.String({ default: '10s' }),
  LOGIN_RATE_LIMIT: Type.String({ default: '30/1m' }),
  LOGIN_FAILURE_LIMIT: Type.String({ default: '5/15m' }),
  LOGIN_ACCOUNT_FAILURE_LIMIT: Type.String({ default: '10/1m' }),
  OAUTH_RATE_LIMIT: Type.String({ default: '120/1m' }),
  OAUTH_FAILURE_LIMIT: Type.String({ default: '5/15m' }),
  OAUTH_CLIENT_FAILURE_LIMIT: Type.String({ default: '10/1m' }),
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info' }),
  LOG_FORMAT: Type.Enum(LOG_FORMATS, { default: 'auto' })
})

/**
 * The rules that make a rotation invisible to consumers, checked so no configuration can break them:
 * - a new key is published at least one JWKS cache lifetime (plus one key-state poll, for other
 *   replicas to pick it up) before it signs, so every consumer has it before the first token does;
 * - a replaced key stays published for the token lifetime + clock tolerance + one cache lifetime
 *   (+ one poll) after its last signature, so every token it signed can still be verified.
 */
function checkRotationTiming (config: AuthConfig, env: EnvReader): void {
  const poll = Math.ceil(config.keyStatePollMs / 1000)
  const minPrepublish = config.jwksMaxAgeSeconds + poll
  const minRetireAfter = config.tokenTtlSeconds + config.clockToleranceSeconds + config.jwksMaxAgeSeconds + poll
  if (config.keyPrepublishSeconds < minPrepublish) {
    env.problem('KEY_PREPUBLISH', `KEY_PREPUBLISH must be at least JWKS_MAX_AGE + one KEY_STATE_POLL (${minPrepublish}s), got ${config.keyPrepublishSeconds}s`)
  }
  if (config.keyPrepublishSeconds >= config.keyRotationIntervalSeconds) {
    env.problem('KEY_PREPUBLISH', `KEY_PREPUBLISH must be shorter than KEY_ROTATION_INTERVAL (${config.keyRotationIntervalSeconds}s), got ${config.keyPrepublishSeconds}s`)
  }
  if (config.keyRetireAfterSeconds < minRetireAfter) {
    env.problem('KEY_RETIRE_AFTER', `KEY_RETIRE_AFTER must be at least TOKEN_TTL + CLOCK_TOLERANCE + JWKS_MAX_AGE + one KEY_STATE_POLL (${minRetireAfter}s), got ${config.keyRetireAfterSeconds}s`)
  }
}

/** `COUNT/WINDOW`, as in `5/15m`: at most COUNT per WINDOW (a duration, 1s to 1d); COUNT is 1 to 1000000. */
export function parseRateLimit (name: string, value: string): RateLimit {
  const match = /^\s*(\d{1,7})\s*\/\s*(\S+)\s*$/.exec(value)
  const max = Number(match?.[1])
  if (!match || max < 1 || max > 1_000_000) {
    throw new ConfigError(`invalid configuration: ${name} must be COUNT/WINDOW like 5/15m (COUNT 1 to 1000000), got "${value.slice(0, 100)}"`)
  }
  return { max, windowMs: parseDuration(name, match[2] as string, { unit: 'ms', min: '1s', max: '1d' }) }
}

/** Reads the auth service's configuration; throws one `ConfigError` naming every bad variable. */
export function loadConfig (environment: Record<string, string | undefined>, isTty = false): AuthConfig {
  const env = new EnvReader(environment, RENAMED_VARIABLES)
  const vars = env.read(EnvSchema)
  const tokenTtlSeconds = env.duration('TOKEN_TTL', vars.TOKEN_TTL, { unit: 's', min: '1s', max: '1d' })
  const jwksMaxAgeSeconds = env.duration('JWKS_MAX_AGE', vars.JWKS_MAX_AGE, { unit: 's', max: '1d' })
  const clockToleranceSeconds = env.duration('CLOCK_TOLERANCE', vars.CLOCK_TOLERANCE, { unit: 's', max: '1h' })
  const keyStatePollMs = env.duration('KEY_STATE_POLL', vars.KEY_STATE_POLL, { unit: 'ms', min: '50ms', max: '60s' })
  const rate = (name: keyof typeof vars & `${string}_LIMIT`) => env.check(name, () => parseRateLimit(name, vars[name])) ?? { max: Number.NaN, windowMs: Number.NaN }
  const config: AuthConfig = {
    port: vars.PORT,
    host: vars.HOST,
    tls: readTlsFiles(env, vars),
    requestTimeoutMs: env.duration('REQUEST_TIMEOUT', vars.REQUEST_TIMEOUT, REQUEST_TIMEOUT_LIMITS),
    trustProxy: env.check('TRUST_PROXY', () => parseTrustProxy(vars.TRUST_PROXY)) ?? [],
    issuer: env.check('ISSUER', () => checkHttpUrl('ISSUER', vars.ISSUER)) ?? vars.ISSUER,
    audience: vars.AUDIENCE,
    clientId: vars.TOKEN_CLIENT_ID,
    tokenTtlSeconds,
    signingAlg: vars.SIGNING_ALG as SigningAlgorithm,
    dataDir: vars.DATA_DIR,
    databaseUrl: vars.DATABASE_URL === undefined ? undefined : env.check('DATABASE_URL', () => checkDatabaseUrl('DATABASE_URL', vars.DATABASE_URL as string)),
    databaseConnectTimeoutMs: env.duration('DATABASE_CONNECT_TIMEOUT', vars.DATABASE_CONNECT_TIMEOUT, {
      unit: 'ms', min: '100ms', max: '60s'
    }),
    databaseStartWaitMs: env.duration('DATABASE_START_WAIT', vars.DATABASE_START_WAIT, { unit: 'ms', max: '10m' }),
    metricsEnabled: parseBoolean(vars.METRICS_ENABLED),
    metricsPort: vars.METRICS_PORT,
    jwksMaxAgeSeconds,
    seedDemoUsers: parseBoolean(vars.SEED_DEMO_USERS),
    keyRotationIntervalSeconds: env.duration('KEY_ROTATION_INTERVAL', vars.KEY_ROTATION_INTERVAL, { unit: 's', min: '1s', max: '3650d' }),
    keyPrepublishSeconds: env.duration('KEY_PREPUBLISH', vars.KEY_PREPUBLISH, { unit: 's', max: '365d' }),
    keyRetireAfterSeconds: vars.KEY_RETIRE_AFTER === undefined
      ? tokenTtlSeconds + clockToleranceSeconds + jwksMaxAgeSeconds + Math.ceil(keyStatePollMs / 1000)
      : env.duration('KEY_RETIRE_AFTER', vars.KEY_RETIRE_AFTER, { unit: 's', max: '365d' }),
    clockToleranceSeconds,
    keyStatePollMs,
    refreshTokenIdleTtlSeconds: env.duration('REFRESH_TOKEN_IDLE_TTL', vars.REFRESH_TOKEN_IDLE_TTL, { unit: 's', min: '1s', max: '365d' }),
    refreshTokenAbsoluteTtlSeconds: env.duration('REFRESH_TOKEN_TTL', vars.REFRESH_TOKEN_TTL, { unit: 's', min: '1s', max: '365d' }),
    // At most a minute, as Okta allows: the longer it is, the longer a stolen, just-used token still works.
    refreshTokenReuseGraceMs: env.duration('REFRESH_TOKEN_REUSE_GRACE', vars.REFRESH_TOKEN_REUSE_GRACE,
      { unit: 'ms', max: '60s' }),
    loginRateLimits: {
      perIp: rate('LOGIN_RATE_LIMIT'),
      failuresPerNameAndIp: rate('LOGIN_FAILURE_LIMIT'),
      failuresPerName: rate('LOGIN_ACCOUNT_FAILURE_LIMIT')
    },
    oauthRateLimits: {
      perIp: rate('OAUTH_RATE_LIMIT'),
      failuresPerNameAndIp: rate('OAUTH_FAILURE_LIMIT'),
      failuresPerName: rate('OAUTH_CLIENT_FAILURE_LIMIT')
    },
    logLevel: vars.LOG_LEVEL,
    prettyLogs: prettyLogs(vars.LOG_FORMAT, isTty),
    warnings: env.warnings
  }
  // The timing rules only mean something once each of their variables is valid on its own.
  if (Object.values(config).every((value) => !Number.isNaN(value))) checkRotationTiming(config, env)
  env.finish()
  return config
}

/** The rotation policy the key lifecycle runs on; `alg` defaults to the configured one (the keys CLI passes the database's). */
export function rotationPolicy (config: AuthConfig, alg: SigningAlgorithm = config.signingAlg) {
  return {
    alg,
    rotationIntervalMs: config.keyRotationIntervalSeconds * 1000,
    prepublishMs: config.keyPrepublishSeconds * 1000,
    retireAfterMs: config.keyRetireAfterSeconds * 1000
  }
}
