import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { EnvReader, checkHttpUrl, type Rename } from '@repo/service-kit/env'
import {
  DATABASE_SETTINGS, LOG_SETTINGS, METRICS_SETTINGS, listenerSettings
} from '@repo/service-kit/service-settings'
import { readSettings, setting, type SettingsOf } from '@repo/service-kit/settings'
import { PKCS11_SETTING, SIGNING_KEY_STORE_SETTING } from './keys/pkcs11-settings.js'
import { KEY_ENCRYPTION_SETTING, requireKeyEncryptionKeys } from './keys/sealing/key-encryption-setting.js'
import { rateLimitSetting } from './rate-limits/rate-limit-setting.js'

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

/** Every setting of the auth service, each declared once: its variable, default, bounds and parsing. */
export const AUTH_SETTINGS = {
  ...listenerSettings(3001),
  /** Access token lifetime. */
  tokenTtlSeconds: setting.duration('TOKEN_TTL', { default: '15m', unit: 's', min: '1s', max: '1d' }),
  signingAlg: setting.oneOf('SIGNING_ALG', SIGNING_ALGORITHMS, { default: 'RS256' }),
  /** The `iss` of every token, and the base of the discovery and JWKS URLs. */
  issuer: setting.parsed('ISSUER', {
    default: 'http://localhost:3001', minLength: 1, parse: (value) => checkHttpUrl('ISSUER', value), fallback: ''
  }),
  /** The `aud` of every token: the resource server the tokens are for. */
  audience: setting.string('AUDIENCE', { default: 'consumer-service', minLength: 1 }),
  /** The `client_id` claim (RFC 9068 §2.2). */
  clientId: setting.string('TOKEN_CLIENT_ID', { default: 'demo-client', minLength: 1 }),
  ...DATABASE_SETTINGS,
  /**
   * `KEY_ENCRYPTION_KEYS` (or `_FILE`): the secrets the stored private keys are sealed with, newest
   * first. Required with DATABASE_URL; unset on SQLite, the service generates one into DATA_DIR.
   */
  keyEncryptionKeys: KEY_ENCRYPTION_SETTING,
  /** Where the private halves are: `database` (sealed with the secrets above) or `pkcs11` (a token holds them). */
  signingKeyStore: SIGNING_KEY_STORE_SETTING,
  /** With `pkcs11`: the module, the token (by label or slot) and the PIN read from PKCS11_PIN_FILE. */
  pkcs11: PKCS11_SETTING,
  ...METRICS_SETTINGS,
  /** `Cache-Control: max-age` of the JWKS: how long consumers may keep it. */
  jwksMaxAgeSeconds: setting.duration('JWKS_MAX_AGE', { default: '5m', unit: 's', max: '1d' }),
  seedDemoUsers: setting.boolean('SEED_DEMO_USERS', { default: true }),
  /**
   * `POST /api/v1/auth`, the JSON login that takes a user's password from any app: a demo convenience.
   * Off, people log in only through the login page (authorization code flow).
   */
  passwordLogin: setting.boolean('PASSWORD_LOGIN', { default: true }),
  /** How long a key signs before its successor takes over. */
  keyRotationIntervalSeconds: setting.duration('KEY_ROTATION_INTERVAL', {
    default: '30d', unit: 's', min: '1s', max: '3650d'
  }),
  /** How long a new key is published before it signs. */
  keyPrepublishSeconds: setting.duration('KEY_PREPUBLISH', { default: '1h', unit: 's', max: '365d' }),
  /** How long a replaced key stays published after its last signature (unset: the least the rules allow). */
  keyRetireAfterSeconds: setting.duration('KEY_RETIRE_AFTER', { unit: 's', max: '365d' }),
  /** The clock skew consumers tolerate; only used to check the timing rules. */
  clockToleranceSeconds: setting.duration('CLOCK_TOLERANCE', { default: '60s', unit: 's', max: '1h' }),
  /** How often the service runs due key transitions and looks for key changes made by other processes. */
  keyStatePollMs: setting.duration('KEY_STATE_POLL', { default: '1s', unit: 'ms', min: '50ms', max: '60s' }),
  /** A refresh token unused for this long is dead. */
  refreshTokenIdleTtlSeconds: setting.duration('REFRESH_TOKEN_IDLE_TTL', {
    default: '1d', unit: 's', min: '1s', max: '365d'
  }),
  /** A login's refresh tokens all die this long after it, however often they were rotated. */
  refreshTokenAbsoluteTtlSeconds: setting.duration('REFRESH_TOKEN_TTL', {
    default: '30d', unit: 's', min: '1s', max: '365d'
  }),
  /**
   * A rotated refresh token presented again this soon gets the same successor instead of counting as
   * reuse. At most a minute, as Okta allows: the longer it is, the longer a stolen, just-used token works.
   */
  refreshTokenReuseGraceMs: setting.duration('REFRESH_TOKEN_REUSE_GRACE', { default: '10s', unit: 'ms', max: '60s' }),
  /**
   * DPoP (RFC 9449) at the token endpoint: how far a proof's `iat` may be from now, either way (plus
   * CLOCK_TOLERANCE); a proof's `jti` is remembered this long, so it bounds the replay store too.
   */
  dpopIatWindowSeconds: setting.duration('DPOP_IAT_WINDOW', { default: '60s', unit: 's', min: '1s', max: '10m' }),
  /** Server nonces (RFC 9449 §8): every proof must carry a recent `DPoP-Nonce` of this service. */
  dpopNonce: setting.boolean('DPOP_NONCE', { default: false }),
  /** How long a nonce is current; the one before it is accepted for one period more. */
  dpopNoncePeriodMs: setting.duration('DPOP_NONCE_PERIOD', { default: '5m', unit: 'ms', min: '10s', max: '1d' }),
  /** A browser session (single sign-on) not used for this long is over: the next login asks for the password. */
  sessionIdleTtlSeconds: setting.duration('SESSION_IDLE_TTL', { default: '30m', unit: 's', min: '1s', max: '30d' }),
  /** A browser session is over this long after its login, however used. */
  sessionTtlSeconds: setting.duration('SESSION_TTL', { default: '10h', unit: 's', min: '1s', max: '365d' }),
  /** Shared Signals: how long a poll with nothing to deliver waits before it answers `{"sets":{}}`. */
  ssfLongPollTimeoutMs: setting.duration('SSF_LONG_POLL_TIMEOUT', {
    default: '25s', unit: 'ms', min: '1s', max: '60s'
  }),
  /** How often a waiting poll looks again without a wake-up (CLI writes to SQLite, a dropped LISTEN). */
  ssfRecheckMs: setting.duration('SSF_RECHECK', { default: '1s', unit: 'ms', min: '100ms', max: '10s' }),
  /** How far back a new stream's events go (unset: TOKEN_TTL + CLOCK_TOLERANCE, also its least value). */
  ssfBackfillSeconds: setting.duration('SSF_BACKFILL', { unit: 's', max: '30d' }),
  /** An event is deleted this long after it was recorded, acknowledged or not (unset: 24h, or SSF_BACKFILL). */
  ssfEventRetentionSeconds: setting.duration('SSF_EVENT_RETENTION', { unit: 's', min: '1m', max: '30d' }),
  /** A stream not polled for this long is deleted with its acknowledgements (its `inactivity_timeout`). */
  ssfStreamInactivitySeconds: setting.duration('SSF_STREAM_INACTIVITY', {
    default: '1h', unit: 's', min: '5m', max: '30d'
  }),
  /** How often the rows nothing can use any more (expired tokens, sessions, codes, `jti`s) are deleted. */
  purgeIntervalMs: setting.duration('PURGE_INTERVAL', { default: '5m', unit: 'ms', min: '1s', max: '1d' }),
  /** Brute-force limits of the logins (`POST /api/v1/auth` and the login page), by client IP and by user name. */
  loginRateLimits: setting.object({
    perIp: rateLimitSetting('LOGIN_RATE_LIMIT', '30/1m'),
    failuresPerNameAndIp: rateLimitSetting('LOGIN_FAILURE_LIMIT', '5/15m'),
    failuresPerName: rateLimitSetting('LOGIN_ACCOUNT_FAILURE_LIMIT', '10/1m')
  }),
  /** Brute-force limits of the token and revocation endpoints together, by client IP and by client_id. */
  oauthRateLimits: setting.object({
    perIp: rateLimitSetting('OAUTH_RATE_LIMIT', '120/1m'),
    failuresPerNameAndIp: rateLimitSetting('OAUTH_FAILURE_LIMIT', '5/15m'),
    failuresPerName: rateLimitSetting('OAUTH_CLIENT_FAILURE_LIMIT', '10/1m')
  }),
  ...LOG_SETTINGS
}

/** Everything the auth service needs to run, as `loadConfig` reads it from the environment. */
export interface AuthConfig extends SettingsOf<typeof AUTH_SETTINGS> {
  keyRetireAfterSeconds: number
  ssfBackfillSeconds: number
  ssfEventRetentionSeconds: number
  /** Deprecated variables that were read, for the service to log at start-up. */
  warnings: readonly string[]
}

type TimingSettings = Pick<AuthConfig, 'tokenTtlSeconds' | 'clockToleranceSeconds' | 'jwksMaxAgeSeconds'
  | 'keyStatePollMs'>

/** KEY_PREPUBLISH's least value: every consumer and replica has a new key before it signs. */
const minPrepublishSeconds = (config: TimingSettings) =>
  config.jwksMaxAgeSeconds + Math.ceil(config.keyStatePollMs / 1000)

/** KEY_RETIRE_AFTER's least value, and its default: every token a replaced key signed stays verifiable. */
const minRetireAfterSeconds = (config: TimingSettings) =>
  config.tokenTtlSeconds + config.clockToleranceSeconds + minPrepublishSeconds(config)

/**
 * The rules that make a rotation invisible to consumers, checked so no configuration can break them:
 * - a new key is published at least one JWKS cache lifetime (plus one key-state poll, for other
 *   replicas to pick it up) before it signs, so every consumer has it before the first token does;
 * - a replaced key stays published for the token lifetime + clock tolerance + one cache lifetime
 *   (+ one poll) after its last signature, so every token it signed can still be verified.
 */
function checkRotationTiming (config: AuthConfig, env: EnvReader): void {
  const { keyPrepublishSeconds: prepublish, keyRotationIntervalSeconds: interval } = config
  const minPrepublish = minPrepublishSeconds(config)
  const minRetireAfter = minRetireAfterSeconds(config)
  if (prepublish < minPrepublish) {
    env.problem('KEY_PREPUBLISH',
      `KEY_PREPUBLISH must be at least JWKS_MAX_AGE + one KEY_STATE_POLL (${minPrepublish}s), got ${prepublish}s`)
  }
  if (prepublish >= interval) {
    env.problem('KEY_PREPUBLISH',
      `KEY_PREPUBLISH must be shorter than KEY_ROTATION_INTERVAL (${interval}s), got ${prepublish}s`)
  }
  if (config.keyRetireAfterSeconds < minRetireAfter) {
    env.problem('KEY_RETIRE_AFTER', 'KEY_RETIRE_AFTER must be at least TOKEN_TTL + CLOCK_TOLERANCE + JWKS_MAX_AGE + ' +
      `one KEY_STATE_POLL (${minRetireAfter}s), got ${config.keyRetireAfterSeconds}s`)
  }
}

/** SSF_BACKFILL's least value, and its default: every event that can still matter for an unexpired token. */
const minBackfillSeconds = (config: TimingSettings) => config.tokenTtlSeconds + config.clockToleranceSeconds

/** SSF_EVENT_RETENTION's default, unless SSF_BACKFILL is longer. */
const DEFAULT_RETENTION_SECONDS = 86_400

/**
 * A new stream must be given every event an unexpired access token may still be affected by (a
 * receiver that starts empty learns every revocation that matters), and those events must still be stored.
 */
function checkSignalTiming (config: AuthConfig, env: EnvReader): void {
  const { ssfBackfillSeconds: backfill, ssfEventRetentionSeconds: retention } = config
  const minBackfill = minBackfillSeconds(config)
  if (backfill < minBackfill) {
    env.problem('SSF_BACKFILL',
      `SSF_BACKFILL must be at least TOKEN_TTL + CLOCK_TOLERANCE (${minBackfill}s), got ${backfill}s`)
  }
  if (retention < backfill) {
    env.problem('SSF_EVENT_RETENTION',
      `SSF_EVENT_RETENTION must be at least SSF_BACKFILL (${backfill}s), got ${retention}s`)
  }
}

/** Reads the auth service's configuration; throws one `ConfigError` naming every bad variable. */
export function loadConfig (environment: Record<string, string | undefined>, isTty = false): AuthConfig {
  const env = new EnvReader(environment, RENAMED_VARIABLES)
  const settings = readSettings(env, AUTH_SETTINGS, isTty)
  const ssfBackfillSeconds = settings.ssfBackfillSeconds ?? minBackfillSeconds(settings)
  const config: AuthConfig = {
    ...settings,
    keyRetireAfterSeconds: settings.keyRetireAfterSeconds ?? minRetireAfterSeconds(settings),
    ssfBackfillSeconds,
    ssfEventRetentionSeconds:
      settings.ssfEventRetentionSeconds ?? Math.max(DEFAULT_RETENTION_SECONDS, ssfBackfillSeconds),
    warnings: env.warnings
  }
  // The timing rules only mean something once each of their variables is valid on its own.
  if (Object.values(config).every((value) => !Number.isNaN(value))) {
    checkRotationTiming(config, env)
    checkSignalTiming(config, env)
  }
  // A token keeps the private halves: nothing private is stored, nothing to seal.
  if (config.signingKeyStore === 'database') requireKeyEncryptionKeys(env, config.keyEncryptionKeys)
  env.finish()
  return config
}

/**
 * The rotation policy the key lifecycle runs on; `alg` defaults to the configured one (the keys
 * CLI passes the database's).
 */
export function rotationPolicy (config: AuthConfig, alg: SigningAlgorithm = config.signingAlg) {
  return {
    alg,
    rotationIntervalMs: config.keyRotationIntervalSeconds * 1000,
    prepublishMs: config.keyPrepublishSeconds * 1000,
    retireAfterMs: config.keyRetireAfterSeconds * 1000
  }
}
