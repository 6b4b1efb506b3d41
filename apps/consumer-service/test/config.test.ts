import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { loadConfig } from '../src/config.js'

/** A client secret file for the Shared Signals settings. */
function secretFile (content = 'the-ssf-secret\n'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'consumer-config-')), 'ssf-secret')
  writeFileSync(file, content)
  return file
}

describe('loadConfig', () => {
  it('has working defaults that discover the JWKS from the issuer, listening on loopback only', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      tls: undefined,
      requestTimeoutMs: 10_000,
      trustProxy: [],
      issuers: [{ issuer: 'http://localhost:3001', audience: 'consumer-service', jwksUrl: undefined, dpop: 'allowed' }],
      audience: 'consumer-service',
      allowedAlgs: ['RS256', 'ES256', 'EdDSA'],
      allowInsecureIssuers: false,
      clockToleranceSeconds: 5,
      jwksCacheTtlSeconds: 300,
      jwksCooldownSeconds: 30,
      jwksFetchTimeoutMs: 2000,
      jwksMaxStaleSeconds: 3600,
      verifiedTokenCacheSeconds: 60,
      corsOrigins: [],
      publicUrl: undefined,
      dpopIatWindowSeconds: 60,
      dpopReplayCacheSize: 100_000,
      ssfReceiverName: undefined,
      ssfOutage: 'serve',
      ssfOutageGraceMs: 300_000,
      ssfMaxTokenLifetimeSeconds: 3600,
      ssfMaxEntries: 100_000,
      ssfStartupWaitMs: 10_000,
      dataDir: './data',
      databaseUrl: undefined,
      databaseConnectTimeoutMs: 5000,
      databaseStartWaitMs: 30_000,
      metricsEnabled: true,
      metricsPort: undefined,
      logLevel: 'info',
      prettyLogs: false,
      warnings: []
    })
  })

  it('reads an explicit JWKS URL, an algorithm list and every duration', () => {
    const config = loadConfig({
      JWKS_URL: 'http://localhost:3001/.well-known/jwks.json',
      ALLOWED_ALGS: 'ES256, EdDSA,ES256',
      CLOCK_TOLERANCE: '10s',
      JWKS_CACHE_TTL: '10m',
      JWKS_COOLDOWN: '1m',
      JWKS_FETCH_TIMEOUT: '750ms',
      JWKS_MAX_STALE: '2h',
      VERIFIED_TOKEN_CACHE: '0'
    })
    expect(config).toMatchObject({
      issuers: [{ issuer: 'http://localhost:3001', audience: 'consumer-service', jwksUrl: 'http://localhost:3001/.well-known/jwks.json', dpop: 'allowed' }],
      allowedAlgs: ['ES256', 'EdDSA'],
      clockToleranceSeconds: 10,
      jwksCacheTtlSeconds: 600,
      jwksCooldownSeconds: 60,
      jwksFetchTimeoutMs: 750,
      jwksMaxStaleSeconds: 7200,
      verifiedTokenCacheSeconds: 0,
      warnings: []
    })
  })

  it('reads whether and where the metrics are served', () => {
    expect(loadConfig({ METRICS_ENABLED: 'false', METRICS_PORT: '9464' })).toMatchObject({ metricsEnabled: false, metricsPort: 9464 })
  })

  it('reads the CORS origins, exact and each once', () => {
    const origins = 'http://localhost:8080, https://app.example.com,http://[::1]:5173,http://localhost:8080,'
    expect(loadConfig({ CORS_ORIGINS: origins }).corsOrigins)
      .toEqual(['http://localhost:8080', 'https://app.example.com', 'http://[::1]:5173'])
    expect(loadConfig({ CORS_ORIGINS: '' }).corsOrigins).toEqual([])
  })

  it.each([
    ['*', 'a wildcard'],
    ['null', 'the opaque origin'],
    ['http://localhost:8080/', 'a trailing slash'],
    ['https://app.example.com/app', 'a path'],
    ['https://app.example.com?x=1', 'a query'],
    ['https://app.example.com:443', 'the default port, which browsers leave out'],
    ['HTTPS://App.Example.com', 'capitals, which browsers lower'],
    ['https://user@app.example.com', 'credentials'],
    ['localhost:8080', 'no scheme'],
    ['ftp://app.example.com', 'a scheme other than http and https']
  ])('refuses the CORS origin %j (%s), naming the variable and the entry', (entry) => {
    expect(() => loadConfig({ CORS_ORIGINS: `http://localhost:8080,${entry}` })).toThrow(new ConfigError(
      'invalid configuration: CORS_ORIGINS must list origins (scheme://host[:port], no path or trailing slash, ' +
      `no *), refused: ${JSON.stringify(entry)}`
    ))
  })

  it.each([
    ['http://localhost:3001', 'localhost'],
    ['http://127.0.0.1:3001', 'IPv4 loopback'],
    ['http://[::1]:3001', 'IPv6 loopback'],
    ['https://idp.example.com/realms/demo/', 'https, with the trailing slash some issuers have']
  ])('accepts the issuer %s (%s)', (issuer) => {
    expect(loadConfig({ ISSUER: issuer }).issuers).toEqual([{ issuer, audience: 'consumer-service', jwksUrl: undefined, dpop: 'allowed' }])
  })

  it('reads several trusted issuers, each with its own audience and JWKS URL if it says so', () => {
    const config = loadConfig({
      AUDIENCE: 'reports-api',
      TRUSTED_ISSUERS: JSON.stringify([
        { issuer: 'https://kc.example.com/realms/demo' },
        { issuer: 'https://tenant.eu.auth0.com/', audience: 'https://reports.example.com', jwks_uri: 'https://tenant.eu.auth0.com/.well-known/jwks.json' }
      ])
    })
    expect(config.issuers).toEqual([
      { issuer: 'https://kc.example.com/realms/demo', audience: 'reports-api', jwksUrl: undefined, dpop: 'allowed' },
      { issuer: 'https://tenant.eu.auth0.com/', audience: 'https://reports.example.com', jwksUrl: 'https://tenant.eu.auth0.com/.well-known/jwks.json', dpop: 'allowed' }
    ])
    expect(loadConfig({ TRUSTED_ISSUERS: 'https://a.example.com, http://127.0.0.1:3001' }).issuers.map(({ issuer }) => issuer))
      .toEqual(['https://a.example.com', 'http://127.0.0.1:3001'])
  })

  it('reads each trusted issuer\'s DPoP policy (allowed unless it says required) and the DPoP settings', () => {
    const config = loadConfig({
      TRUSTED_ISSUERS: JSON.stringify([
        { issuer: 'https://a.example.com', dpop: 'required' }, { issuer: 'https://b.example.com', dpop: 'allowed' }, { issuer: 'https://c.example.com' }
      ]),
      PUBLIC_URL: 'https://API.example.com:443/',
      DPOP_IAT_WINDOW: '2m',
      DPOP_REPLAY_CACHE_SIZE: '5000'
    })
    expect(config.issuers.map(({ dpop }) => dpop)).toEqual(['required', 'allowed', 'allowed'])
    expect(config).toMatchObject({ publicUrl: 'https://api.example.com', dpopIatWindowSeconds: 120, dpopReplayCacheSize: 5000 })
  })

  it('allows plain http to another host only when told to, and warns', () => {
    const config = loadConfig({ ISSUER: 'http://auth-service:3001', ALLOW_INSECURE_ISSUERS: 'true' })
    expect(config.issuers[0]?.issuer).toBe('http://auth-service:3001')
    expect(config.warnings).toEqual(['issuer http://auth-service:3001 is plain http: allowed by ALLOW_INSECURE_ISSUERS, never do this outside a private network'])
  })

  it('still reads the names of the previous release, and warns about each', () => {
    const config = loadConfig({
      CLOCK_TOLERANCE_SECONDS: '10',
      JWKS_CACHE_TTL_SECONDS: '600',
      JWKS_COOLDOWN_SECONDS: '60',
      JWKS_FETCH_TIMEOUT_MS: '750',
      JWKS_MAX_STALE_SECONDS: '7200',
      VERIFIED_TOKEN_CACHE_SECONDS: '0'
    })
    expect(config).toMatchObject({
      clockToleranceSeconds: 10, jwksCacheTtlSeconds: 600, jwksCooldownSeconds: 60, jwksFetchTimeoutMs: 750, jwksMaxStaleSeconds: 7200, verifiedTokenCacheSeconds: 0
    })
    expect(config.warnings).toHaveLength(6)
    expect(config.warnings).toContain('JWKS_FETCH_TIMEOUT_MS is deprecated; use JWKS_FETCH_TIMEOUT=750ms instead (the old name stops working in the next release)')
  })

  it('reads the Shared Signals settings and each issuer\'s receiver credentials, the secret never printed', () => {
    const file = secretFile()
    const config = loadConfig({
      TRUSTED_ISSUERS: JSON.stringify([
        { issuer: 'https://a.example.com', ssf: { client_id: 'consumer-a', client_secret_file: file } },
        { issuer: 'https://b.example.com' }
      ]),
      SSF_RECEIVER_NAME: 'consumer-1',
      SSF_OUTAGE: 'refuse',
      SSF_OUTAGE_GRACE: '2m',
      SSF_MAX_TOKEN_LIFETIME: '30m',
      SSF_STARTUP_WAIT: '0s'
    })
    expect(config.issuers[0]?.ssf?.clientId).toBe('consumer-a')
    expect(config.issuers[0]?.ssf?.clientSecret.reveal()).toBe('the-ssf-secret')
    expect(config.issuers[1]?.ssf).toBeUndefined()
    expect(config).toMatchObject({
      ssfReceiverName: 'consumer-1',
      ssfOutage: 'refuse',
      ssfOutageGraceMs: 120_000,
      ssfMaxTokenLifetimeSeconds: 1800,
      ssfStartupWaitMs: 0
    })
    expect(JSON.stringify(config)).not.toContain('the-ssf-secret')
    expect(inspect(config, { depth: 10 })).not.toContain('the-ssf-secret')
  })

  it('reads the one-issuer shorthand SSF_CLIENT_ID with SSF_CLIENT_SECRET_FILE', () => {
    const config = loadConfig({ ISSUER: 'https://a.example.com', SSF_CLIENT_ID: 'c', SSF_CLIENT_SECRET_FILE: secretFile() })
    expect(config.issuers[0]?.ssf?.clientId).toBe('c')
  })

  it.each([
    [{ SSF_CLIENT_ID: 'c' }, /SSF_CLIENT_ID and SSF_CLIENT_SECRET_FILE go together/],
    [{ SSF_CLIENT_ID: 'c', SSF_CLIENT_SECRET_FILE: '/nonexistent/ssf' }, /SSF_CLIENT_SECRET_FILE: cannot read .*ENOENT/],
    [{ SSF_CLIENT_ID: 'c', SSF_CLIENT_SECRET_FILE: 'EMPTY' }, /the client secret file is empty/],
    [{ TRUSTED_ISSUERS: 'https://a.example.com,https://b.example.com', SSF_CLIENT_ID: 'c', SSF_CLIENT_SECRET_FILE: 'OK' },
      /SSF_CLIENT_ID is for one trusted issuer/],
    [{ TRUSTED_ISSUERS: '[{"issuer": "https://a.example.com", "ssf": {"client_id": "c"}}]' }, /TRUSTED_ISSUERS\[0\] must be/],
    [{ SSF_OUTAGE: 'ignore' }, /SSF_OUTAGE must be one of/],
    [{ SSF_MAX_ENTRIES: '10' }, /SSF_MAX_ENTRIES must be a whole number from 100/],
    [{ SSF_OUTAGE_GRACE: '2d' }, /SSF_OUTAGE_GRACE must be/]
  ])('refuses bad Shared Signals settings: %j', (env, message) => {
    const files: Record<string, string> = { EMPTY: secretFile(' \n'), OK: secretFile() }
    const resolved = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, files[value] ?? value]))
    const issuer = 'TRUSTED_ISSUERS' in env ? {} : { ISSUER: 'https://a.example.com' }
    expect(() => loadConfig({ ...issuer, ...resolved })).toThrow(message)
  })

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud', ISSUER: 'http://x.example', ALLOWED_ALGS: 'HS256', JWKS_COOLDOWN: 'soon' })).toThrow(new ConfigError(
      'invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"; ' +
      'ISSUER must be https (plain http only to loopback, or with ALLOW_INSECURE_ISSUERS=true), got "http://x.example"; ' +
      'ALLOWED_ALGS must list some of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, refused: HS256; ' +
      'JWKS_COOLDOWN must be a duration like 500ms, 90s, 15m, 12h or 30d (a bare number is seconds), got "soon"'
    ))
  })

  it.each([
    [{ ALLOWED_ALGS: 'HS256' }, /ALLOWED_ALGS.*refused: HS256/],
    [{ ALLOWED_ALGS: 'none' }, /ALLOWED_ALGS.*refused: none/],
    [{ ALLOWED_ALGS: ' , ' }, /ALLOWED_ALGS.*\(empty\)/],
    [{ ALLOWED_ALGS: 'RS256,Ed25519' }, /ALLOWED_ALGS.*refused: Ed25519/],
    [{ ISSUER: 'https://idp.example.com?tenant=1' }, /ISSUER must have no query or fragment/],
    [{ DATABASE_CONNECT_TIMEOUT: '61s' }, /DATABASE_CONNECT_TIMEOUT must be 100ms to 60s, got "61s"/],
    [{ DATABASE_START_WAIT: '11m' }, /DATABASE_START_WAIT must be 0s to 10m, got "11m"/],
    [{ ISSUER: 'http://idp.example.com' }, /ISSUER must be https/],
    [{ ISSUER: 'https://user:pw@idp.example.com' }, /ISSUER must not carry credentials/],
    [{ JWKS_URL: 'file:///etc/passwd' }, /JWKS_URL must be an https URL/],
    [{ JWKS_URL: 'http://keys.example.com/jwks.json' }, /JWKS_URL must be https/],
    [{ TRUSTED_ISSUERS: 'https://a.example.com', ISSUER: 'https://b.example.com' }, /set either TRUSTED_ISSUERS or ISSUER/],
    [{ TRUSTED_ISSUERS: '[{"issuer": 1}]' }, /TRUSTED_ISSUERS\[0\] must be/],
    [{ TRUSTED_ISSUERS: '[{"issuer": "https://a.example.com", "jwksUri": "x"}]' }, /TRUSTED_ISSUERS\[0\] must be/],
    [{ TRUSTED_ISSUERS: '[{"issuer": "https://a.example.com"}' }, /TRUSTED_ISSUERS is not valid JSON/],
    [{ TRUSTED_ISSUERS: '[{"issuer": "https://a.example.com", "dpop": "always"}]' }, /TRUSTED_ISSUERS\[0\] must be .*"dpop"\?: "allowed" \| "required"/],
    [{ TRUSTED_ISSUERS: '[{"issuer": "https://a.example.com", "dpop": true}]' }, /TRUSTED_ISSUERS\[0\] must be/],
    [{ PUBLIC_URL: 'api.example.com' }, /PUBLIC_URL must be an absolute URL/],
    [{ PUBLIC_URL: 'ftp://api.example.com' }, /PUBLIC_URL must be an http\(s\) URL/],
    [{ PUBLIC_URL: 'https://api.example.com/v1' }, /PUBLIC_URL must be an origin/],
    [{ PUBLIC_URL: 'https://api.example.com/?' }, /PUBLIC_URL must be an origin/],
    [{ PUBLIC_URL: 'https://user@api.example.com' }, /PUBLIC_URL must be an origin/],
    [{ PUBLIC_URL: 'https://api"example.com' }, /PUBLIC_URL must name a host name or an IP literal/],
    [{ DPOP_IAT_WINDOW: '0s' }, /DPOP_IAT_WINDOW must be 1s to 10m/],
    [{ DPOP_IAT_WINDOW: '1h' }, /DPOP_IAT_WINDOW must be 1s to 10m/],
    [{ DPOP_REPLAY_CACHE_SIZE: '0' }, /DPOP_REPLAY_CACHE_SIZE must be a whole number from 1 to 10000000/],
    [{ DPOP_REPLAY_CACHE_SIZE: '1e5' }, /DPOP_REPLAY_CACHE_SIZE must be a whole number/],
    [{ DPOP_REPLAY_CACHE_SIZE: '20000000' }, /DPOP_REPLAY_CACHE_SIZE must be a whole number/],
    [{ TRUSTED_ISSUERS: 'https://a.example.com, https://a.example.com' }, /names https:\/\/a.example.com twice/],
    [{ TRUSTED_ISSUERS: ' , ' }, /at least one issuer/],
    [{ JWKS_FETCH_TIMEOUT: '10ms' }, /JWKS_FETCH_TIMEOUT must be 100ms to 60s/],
    [{ CLOCK_TOLERANCE: '10m' }, /CLOCK_TOLERANCE must be 0s to 5m/],
    [{ JWKS_COOLDOWN: '10m', JWKS_CACHE_TTL: '5m' }, /JWKS_COOLDOWN \(600s\) must not exceed JWKS_CACHE_TTL \(300s\)/]
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
