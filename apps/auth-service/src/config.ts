import Type from 'typebox'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { ConfigError, LOG_LEVELS, checkHttpUrl, parseBoolean, parseDurationSeconds, readEnv } from '@repo/service-kit/env'

/** Everything the auth service needs to run. Tests build this object directly. */
export interface AuthConfig {
  port: number
  host: string
  /** The `iss` of every token, and the base of the discovery and JWKS URLs. */
  issuer: string
  /** The `aud` of every token: the resource server the tokens are for. */
  audience: string
  /** The `client_id` claim (RFC 9068 §2.2). */
  clientId: string
  tokenTtlSeconds: number
  signingAlg: SigningAlgorithm
  /** Where the SQLite database holding users and signing keys lives. */
  dataDir: string
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
  logLevel: string
  prettyLogs: boolean
}

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  ISSUER: Type.String({ minLength: 1, default: 'http://localhost:3001' }),
  TOKEN_AUDIENCE: Type.String({ minLength: 1, default: 'consumer-service' }),
  TOKEN_CLIENT_ID: Type.String({ minLength: 1, default: 'demo-client' }),
  TOKEN_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 86400, default: 900 }),
  SIGNING_ALG: Type.Enum(SIGNING_ALGORITHMS, { default: 'RS256' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  JWKS_MAX_AGE_SECONDS: Type.Integer({ minimum: 0, maximum: 86400, default: 300 }),
  SEED_DEMO_USERS: Type.Union([Type.Boolean(), Type.String()], { default: 'true' }),
  KEY_ROTATION_INTERVAL: Type.String({ default: '30d' }),
  KEY_PREPUBLISH_SECONDS: Type.Integer({ minimum: 0, maximum: 31_536_000, default: 3600 }),
  KEY_RETIRE_AFTER_SECONDS: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 })),
  CLOCK_TOLERANCE_SECONDS: Type.Integer({ minimum: 0, maximum: 3600, default: 60 }),
  KEY_STATE_POLL_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info' })
})

/**
 * The rules that make a rotation invisible to consumers, checked so no configuration can break them:
 * - a new key is published at least one JWKS cache lifetime (plus one key-state poll, for other
 *   replicas to pick it up) before it signs, so every consumer has it before the first token does;
 * - a replaced key stays published for the token lifetime + clock tolerance + one cache lifetime
 *   (+ one poll) after its last signature, so every token it signed can still be verified.
 */
export function checkRotationTiming (config: AuthConfig): AuthConfig {
  const poll = Math.ceil(config.keyStatePollMs / 1000)
  const minPrepublish = config.jwksMaxAgeSeconds + poll
  const minRetireAfter = config.tokenTtlSeconds + config.clockToleranceSeconds + config.jwksMaxAgeSeconds + poll
  if (config.keyPrepublishSeconds < minPrepublish) {
    throw new ConfigError(`invalid configuration: KEY_PREPUBLISH_SECONDS must be at least JWKS_MAX_AGE_SECONDS + one KEY_STATE_POLL_MS (${minPrepublish}), got ${config.keyPrepublishSeconds}`)
  }
  if (config.keyPrepublishSeconds >= config.keyRotationIntervalSeconds) {
    throw new ConfigError('invalid configuration: KEY_PREPUBLISH_SECONDS must be shorter than KEY_ROTATION_INTERVAL')
  }
  if (config.keyRetireAfterSeconds < minRetireAfter) {
    throw new ConfigError(`invalid configuration: KEY_RETIRE_AFTER_SECONDS must be at least TOKEN_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS + JWKS_MAX_AGE_SECONDS + one KEY_STATE_POLL_MS (${minRetireAfter}), got ${config.keyRetireAfterSeconds}`)
  }
  return config
}

export function loadConfig (env: Record<string, string | undefined>, isTty = false): AuthConfig {
  const vars = readEnv(EnvSchema, env)
  const poll = Math.ceil(vars.KEY_STATE_POLL_MS / 1000)
  return checkRotationTiming({
    port: vars.PORT,
    host: vars.HOST,
    issuer: checkHttpUrl('ISSUER', vars.ISSUER),
    audience: vars.TOKEN_AUDIENCE,
    clientId: vars.TOKEN_CLIENT_ID,
    tokenTtlSeconds: vars.TOKEN_TTL_SECONDS,
    signingAlg: vars.SIGNING_ALG as SigningAlgorithm,
    dataDir: vars.DATA_DIR,
    jwksMaxAgeSeconds: vars.JWKS_MAX_AGE_SECONDS,
    seedDemoUsers: parseBoolean(vars.SEED_DEMO_USERS),
    keyRotationIntervalSeconds: parseDurationSeconds('KEY_ROTATION_INTERVAL', vars.KEY_ROTATION_INTERVAL),
    keyPrepublishSeconds: vars.KEY_PREPUBLISH_SECONDS,
    keyRetireAfterSeconds: vars.KEY_RETIRE_AFTER_SECONDS ??
      vars.TOKEN_TTL_SECONDS + vars.CLOCK_TOLERANCE_SECONDS + vars.JWKS_MAX_AGE_SECONDS + poll,
    clockToleranceSeconds: vars.CLOCK_TOLERANCE_SECONDS,
    keyStatePollMs: vars.KEY_STATE_POLL_MS,
    logLevel: vars.LOG_LEVEL,
    prettyLogs: isTty
  })
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
