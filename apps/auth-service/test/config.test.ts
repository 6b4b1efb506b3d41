import { describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { loadConfig } from '../src/config.js'

describe('loadConfig', () => {
  it('has working defaults, listening on loopback only', () => {
    expect(loadConfig({})).toEqual({
      port: 3001,
      host: '127.0.0.1',
      tls: undefined,
      requestTimeoutMs: 10_000,
      trustProxy: [],
      issuer: 'http://localhost:3001',
      audience: 'consumer-service',
      clientId: 'demo-client',
      tokenTtlSeconds: 900,
      signingAlg: 'RS256',
      dataDir: './data',
      databaseConnectTimeoutMs: 5000,
      databaseStartWaitMs: 30_000,
      signingKeyStore: 'database',
      metricsEnabled: true,
      metricsPort: undefined,
      jwksMaxAgeSeconds: 300,
      seedDemoUsers: true,
      passwordLogin: true,
      keyRotationIntervalSeconds: 2592000,
      keyPrepublishSeconds: 3600,
      keyRetireAfterSeconds: 1261,
      clockToleranceSeconds: 60,
      keyStatePollMs: 1000,
      refreshTokenIdleTtlSeconds: 86400,
      refreshTokenAbsoluteTtlSeconds: 2592000,
      refreshTokenReuseGraceMs: 10_000,
      dpopIatWindowSeconds: 60,
      dpopNonce: false,
      dpopNoncePeriodMs: 300_000,
      sessionIdleTtlSeconds: 1800,
      sessionTtlSeconds: 36_000,
      ssfLongPollTimeoutMs: 25_000,
      ssfRecheckMs: 1000,
      ssfBackfillSeconds: 960,
      ssfEventRetentionSeconds: 86_400,
      ssfStreamInactivitySeconds: 3600,
      purgeIntervalMs: 300_000,
      loginRateLimits: {
        perIp: { max: 30, windowMs: 60_000 },
        failuresPerNameAndIp: { max: 5, windowMs: 900_000 },
        failuresPerName: { max: 10, windowMs: 60_000 }
      },
      oauthRateLimits: {
        perIp: { max: 120, windowMs: 60_000 },
        failuresPerNameAndIp: { max: 5, windowMs: 900_000 },
        failuresPerName: { max: 10, windowMs: 60_000 }
      },
      logLevel: 'info',
      prettyLogs: false,
      warnings: []
    })
  })

  it.each([['7d', 604800], ['12h', 43200], ['90m', 5400], ['7200', 7200], ['7200s', 7200]])('reads KEY_ROTATION_INTERVAL=%s as %i seconds', (value, seconds) => {
    expect(loadConfig({ KEY_ROTATION_INTERVAL: value }).keyRotationIntervalSeconds).toBe(seconds)
  })

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      ISSUER: 'https://auth.example.com',
      AUDIENCE: 'api',
      TOKEN_TTL: '1m',
      SIGNING_ALG: 'EdDSA',
      DATA_DIR: '/var/lib/auth',
      SEED_DEMO_USERS: 'false',
      PASSWORD_LOGIN: 'false',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      JWKS_MAX_AGE: '60s',
      KEY_PREPUBLISH: '2h',
      CLOCK_TOLERANCE: '30s',
      KEY_STATE_POLL: '250ms',
      KEY_RETIRE_AFTER: '1h',
      DATABASE_CONNECT_TIMEOUT: '2500ms',
      DATABASE_START_WAIT: '2m'
    })
    expect(config).toMatchObject({
      databaseConnectTimeoutMs: 2500,
      databaseStartWaitMs: 120_000,
      port: 8080,
      host: '0.0.0.0',
      issuer: 'https://auth.example.com',
      audience: 'api',
      tokenTtlSeconds: 60,
      signingAlg: 'EdDSA',
      dataDir: '/var/lib/auth',
      seedDemoUsers: false,
      passwordLogin: false,
      logLevel: 'debug',
      prettyLogs: true,
      jwksMaxAgeSeconds: 60,
      keyPrepublishSeconds: 7200,
      clockToleranceSeconds: 30,
      keyStatePollMs: 250,
      keyRetireAfterSeconds: 3600,
      warnings: []
    })
  })

  const graces = [['0s', 0], ['2500ms', 2500], ['30', 30_000], ['60s', 60_000]] as const
  it.each(graces)('reads REFRESH_TOKEN_REUSE_GRACE=%s as %i ms', (value, ms) => {
    expect(loadConfig({ REFRESH_TOKEN_REUSE_GRACE: value }).refreshTokenReuseGraceMs).toBe(ms)
  })

  it('reads the Shared Signals timings; SSF_BACKFILL follows TOKEN_TTL + CLOCK_TOLERANCE unless set', () => {
    expect(loadConfig({
      SSF_LONG_POLL_TIMEOUT: '60s', SSF_RECHECK: '250ms', SSF_BACKFILL: '2h', SSF_EVENT_RETENTION: '7d', SSF_STREAM_INACTIVITY: '10m'
    })).toMatchObject({
      ssfLongPollTimeoutMs: 60_000, ssfRecheckMs: 250, ssfBackfillSeconds: 7200, ssfEventRetentionSeconds: 604_800, ssfStreamInactivitySeconds: 600
    })
    expect(loadConfig({ TOKEN_TTL: '1h', CLOCK_TOLERANCE: '30s' }).ssfBackfillSeconds).toBe(3630)
    // Unset, the retention is 24 h, or the backfill window when that is longer.
    expect(loadConfig({ TOKEN_TTL: '1d' })).toMatchObject({ ssfBackfillSeconds: 86_460, ssfEventRetentionSeconds: 86_460 })
  })

  it('reads PURGE_INTERVAL', () => {
    expect(loadConfig({ PURGE_INTERVAL: '30s' }).purgeIntervalMs).toBe(30_000)
  })

  it('reads whether and where the metrics are served', () => {
    expect(loadConfig({ METRICS_ENABLED: 'false', METRICS_PORT: '9464' })).toMatchObject({ metricsEnabled: false, metricsPort: 9464 })
  })

  it('pretty-prints in a terminal unless LOG_FORMAT says json', () => {
    expect(loadConfig({}, true).prettyLogs).toBe(true)
    expect(loadConfig({ LOG_FORMAT: 'json' }, true).prettyLogs).toBe(false)
  })

  it('reads the rate limits as COUNT/WINDOW', () => {
    const config = loadConfig({
      LOGIN_RATE_LIMIT: '100/15m',
      LOGIN_FAILURE_LIMIT: ' 3 / 1h ',
      LOGIN_ACCOUNT_FAILURE_LIMIT: '20/30s',
      OAUTH_RATE_LIMIT: '1000000/1d',
      OAUTH_FAILURE_LIMIT: '1/1s',
      OAUTH_CLIENT_FAILURE_LIMIT: '50/90'
    })
    expect(config.loginRateLimits).toEqual({
      perIp: { max: 100, windowMs: 900_000 },
      failuresPerNameAndIp: { max: 3, windowMs: 3_600_000 },
      failuresPerName: { max: 20, windowMs: 30_000 }
    })
    expect(config.oauthRateLimits).toEqual({
      perIp: { max: 1_000_000, windowMs: 86_400_000 },
      failuresPerNameAndIp: { max: 1, windowMs: 1000 },
      failuresPerName: { max: 50, windowMs: 90_000 }
    })
  })

  it('still reads the names of the previous release, and warns about each', () => {
    const config = loadConfig({
      TOKEN_AUDIENCE: 'api',
      TOKEN_TTL_SECONDS: '60',
      JWKS_MAX_AGE_SECONDS: '60',
      KEY_PREPUBLISH_SECONDS: '120',
      KEY_RETIRE_AFTER_SECONDS: '600',
      CLOCK_TOLERANCE_SECONDS: '10',
      KEY_STATE_POLL_MS: '100'
    })
    expect(config).toMatchObject({
      audience: 'api',
      tokenTtlSeconds: 60,
      jwksMaxAgeSeconds: 60,
      keyPrepublishSeconds: 120,
      keyRetireAfterSeconds: 600,
      clockToleranceSeconds: 10,
      keyStatePollMs: 100
    })
    expect(config.warnings).toEqual([
      'TOKEN_AUDIENCE is deprecated; use AUDIENCE=api instead (the old name stops working in the next release)',
      'TOKEN_TTL_SECONDS is deprecated; use TOKEN_TTL=60 instead (the old name stops working in the next release)',
      'JWKS_MAX_AGE_SECONDS is deprecated; use JWKS_MAX_AGE=60 instead (the old name stops working in the next release)',
      'KEY_PREPUBLISH_SECONDS is deprecated; use KEY_PREPUBLISH=120 instead (the old name stops working in the next release)',
      'KEY_RETIRE_AFTER_SECONDS is deprecated; use KEY_RETIRE_AFTER=600 instead (the old name stops working in the next release)',
      'CLOCK_TOLERANCE_SECONDS is deprecated; use CLOCK_TOLERANCE=10 instead (the old name stops working in the next release)',
      'KEY_STATE_POLL_MS is deprecated; use KEY_STATE_POLL=100ms instead (the old name stops working in the next release)'
    ])
  })

  it('names every bad variable in one message, with the allowed values of a list', () => {
    expect(() => loadConfig({ SIGNING_ALG: 'HS256', LOG_LEVEL: 'loud', ISSUER: 'not a url', PORT: 'eighty', TOKEN_TTL: 'forever' })).toThrow(new ConfigError(
      'invalid configuration: PORT must be integer, got "eighty"; SIGNING_ALG must be one of RS256, ES256, EdDSA, got "HS256"; ' +
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"; ' +
      'TOKEN_TTL must be a duration like 500ms, 90s, 15m, 12h or 30d (a bare number is seconds), got "forever"; ' +
      'ISSUER must be an absolute URL, got "not a url"'
    ))
  })

  it.each([
    [{ PORT: '70000' }, /PORT must be <= 65535/],
    [{ SIGNING_ALG: 'none' }, /SIGNING_ALG must be one of RS256, ES256, EdDSA, got "none"/],
    [{ TOKEN_TTL: '0s' }, /TOKEN_TTL must be 1s to 1d, got "0s"/],
    [{ TOKEN_TTL: '2d' }, /TOKEN_TTL must be 1s to 1d/],
    [{ TOKEN_TTL: '1500ms' }, /TOKEN_TTL must be whole seconds/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT must be one of auto, json, pretty/],
    [{ ISSUER: 'http://localhost:3001/' }, /trailing slash/],
    [{ ISSUER: 'ftp://localhost' }, /http\(s\)/],
    [{ KEY_STATE_POLL: '10ms' }, /KEY_STATE_POLL must be 50ms to 60s/],
    [{ DATABASE_CONNECT_TIMEOUT: '50ms' }, /DATABASE_CONNECT_TIMEOUT must be 100ms to 60s, got "50ms"/],
    [{ DATABASE_START_WAIT: 'forever' }, /DATABASE_START_WAIT must be a duration like/],
    [{ KEY_PREPUBLISH: '300s', JWKS_MAX_AGE: '300s' }, /KEY_PREPUBLISH must be at least JWKS_MAX_AGE \+ one KEY_STATE_POLL \(301s\), got 300s/],
    [{ KEY_PREPUBLISH: '600s', KEY_ROTATION_INTERVAL: '10m' }, /KEY_PREPUBLISH must be shorter than KEY_ROTATION_INTERVAL/],
    [{ KEY_ROTATION_INTERVAL: '30 days' }, /KEY_ROTATION_INTERVAL must be a duration/],
    [{ KEY_RETIRE_AFTER: '1000' }, /KEY_RETIRE_AFTER must be at least TOKEN_TTL \+ CLOCK_TOLERANCE \+ JWKS_MAX_AGE \+ one KEY_STATE_POLL \(1261s\), got 1000s/],
    [{ LOGIN_RATE_LIMIT: '30' }, /LOGIN_RATE_LIMIT must be COUNT\/WINDOW like 5\/15m \(COUNT 1 to 1000000\), got "30"/],
    [{ LOGIN_FAILURE_LIMIT: '0/15m' }, /LOGIN_FAILURE_LIMIT must be COUNT\/WINDOW/],
    [{ LOGIN_ACCOUNT_FAILURE_LIMIT: '1000001/1m' }, /LOGIN_ACCOUNT_FAILURE_LIMIT must be COUNT\/WINDOW/],
    [{ OAUTH_RATE_LIMIT: '-5/1m' }, /OAUTH_RATE_LIMIT must be COUNT\/WINDOW/],
    [{ OAUTH_FAILURE_LIMIT: '5/forever' }, /OAUTH_FAILURE_LIMIT must be a duration like/],
    [{ OAUTH_CLIENT_FAILURE_LIMIT: '5/500ms' }, /OAUTH_CLIENT_FAILURE_LIMIT must be 1s to 1d, got "500ms"/],
    [{ LOGIN_RATE_LIMIT: '5/2d' }, /LOGIN_RATE_LIMIT must be 1s to 1d/],
    [{ REFRESH_TOKEN_REUSE_GRACE: '2m' }, /REFRESH_TOKEN_REUSE_GRACE must be 0s to 60s, got "2m"/],
    [{ REFRESH_TOKEN_REUSE_GRACE: 'soon' }, /REFRESH_TOKEN_REUSE_GRACE must be a duration like/],
    [{ SSF_LONG_POLL_TIMEOUT: '90s' }, /SSF_LONG_POLL_TIMEOUT must be 1s to 60s, got "90s"/],
    [{ SSF_LONG_POLL_TIMEOUT: '500ms' }, /SSF_LONG_POLL_TIMEOUT must be 1s to 60s, got "500ms"/],
    [{ SSF_RECHECK: '50ms' }, /SSF_RECHECK must be 100ms to 10s, got "50ms"/],
    [{ SSF_RECHECK: '11s' }, /SSF_RECHECK must be 100ms to 10s, got "11s"/],
    [{ SSF_BACKFILL: '959s' }, /SSF_BACKFILL must be at least TOKEN_TTL \+ CLOCK_TOLERANCE \(960s\), got 959s/],
    [{ TOKEN_TTL: '1h', SSF_BACKFILL: '1h' }, /SSF_BACKFILL must be at least TOKEN_TTL \+ CLOCK_TOLERANCE \(3660s\), got 3600s/],
    [{ SSF_EVENT_RETENTION: '10m' }, /SSF_EVENT_RETENTION must be at least SSF_BACKFILL \(960s\), got 600s/],
    [{ TOKEN_TTL: '1d', SSF_EVENT_RETENTION: '24h' }, /SSF_EVENT_RETENTION must be at least SSF_BACKFILL \(86460s\), got 86400s/],
    [{ SSF_EVENT_RETENTION: '31d' }, /SSF_EVENT_RETENTION must be 1m to 30d/],
    [{ SSF_STREAM_INACTIVITY: '1m' }, /SSF_STREAM_INACTIVITY must be 5m to 30d, got "1m"/],
    [{ PURGE_INTERVAL: '500ms' }, /PURGE_INTERVAL must be 1s to 1d, got "500ms"/],
    [{ PURGE_INTERVAL: '2d' }, /PURGE_INTERVAL must be 1s to 1d, got "2d"/]
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
