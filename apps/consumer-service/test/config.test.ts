import { describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { loadConfig } from '../src/config.js'

describe('loadConfig', () => {
  it('has working defaults that discover the JWKS from the issuer, listening on loopback only', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      issuer: 'http://localhost:3001',
      audience: 'consumer-service',
      jwksUrl: undefined,
      allowedAlgs: ['RS256', 'ES256', 'EdDSA'],
      clockToleranceSeconds: 5,
      jwksCacheTtlSeconds: 300,
      jwksCooldownSeconds: 30,
      jwksFetchTimeoutMs: 2000,
      jwksMaxStaleSeconds: 3600,
      verifiedTokenCacheSeconds: 60,
      dataDir: './data',
      logLevel: 'info',
      prettyLogs: false,
      warnings: []
    })
  })

  it('reads an explicit JWKS URL, an algorithm list and every duration', () => {
    const config = loadConfig({
      JWKS_URL: 'http://auth-service:3001/.well-known/jwks.json',
      ALLOWED_ALGS: 'ES256, EdDSA,ES256',
      CLOCK_TOLERANCE: '10s',
      JWKS_CACHE_TTL: '10m',
      JWKS_COOLDOWN: '1m',
      JWKS_FETCH_TIMEOUT: '750ms',
      JWKS_MAX_STALE: '2h',
      VERIFIED_TOKEN_CACHE: '0'
    })
    expect(config).toMatchObject({
      jwksUrl: 'http://auth-service:3001/.well-known/jwks.json',
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

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud', ISSUER: 'http://x/', ALLOWED_ALGS: 'HS256', JWKS_COOLDOWN: 'soon' })).toThrow(new ConfigError(
      'invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"; ' +
      'ISSUER must be an http(s) URL without query, fragment or trailing slash, got "http://x/"; ' +
      'ALLOWED_ALGS must list some of RS256, ES256, EdDSA, refused: HS256; ' +
      'JWKS_COOLDOWN must be a duration like 500ms, 90s, 15m, 12h or 30d (a bare number is seconds), got "soon"'
    ))
  })

  it.each([
    [{ ALLOWED_ALGS: 'HS256' }, /ALLOWED_ALGS.*refused: HS256/],
    [{ ALLOWED_ALGS: 'none' }, /ALLOWED_ALGS.*refused: none/],
    [{ ALLOWED_ALGS: ' , ' }, /ALLOWED_ALGS.*\(empty\)/],
    [{ ISSUER: 'http://localhost:3001/' }, /ISSUER.*trailing slash/],
    [{ JWKS_URL: 'file:///etc/passwd' }, /JWKS_URL must be an http\(s\) URL/],
    [{ JWKS_FETCH_TIMEOUT: '10ms' }, /JWKS_FETCH_TIMEOUT must be 100ms to 60s/],
    [{ CLOCK_TOLERANCE: '10m' }, /CLOCK_TOLERANCE must be 0s to 5m/],
    [{ JWKS_COOLDOWN: '10m', JWKS_CACHE_TTL: '5m' }, /JWKS_COOLDOWN \(600s\) must not exceed JWKS_CACHE_TTL \(300s\)/]
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
