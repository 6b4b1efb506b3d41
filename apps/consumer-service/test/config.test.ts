import { describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { loadConfig } from '../src/config.js'

describe('loadConfig', () => {
  it('has working defaults that discover the JWKS from the issuer', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
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
      prettyLogs: false
    })
  })

  it('reads an explicit JWKS URL and algorithm list', () => {
    const config = loadConfig({ JWKS_URL: 'http://auth-service:3001/.well-known/jwks.json', ALLOWED_ALGS: 'ES256, EdDSA,ES256' })
    expect(config.jwksUrl).toBe('http://auth-service:3001/.well-known/jwks.json')
    expect(config.allowedAlgs).toEqual(['ES256', 'EdDSA'])
  })

  it.each([
    [{ ALLOWED_ALGS: 'HS256' }, /ALLOWED_ALGS.*refused: HS256/],
    [{ ALLOWED_ALGS: 'none' }, /ALLOWED_ALGS.*refused: none/],
    [{ ALLOWED_ALGS: ' , ' }, /ALLOWED_ALGS.*\(empty\)/],
    [{ ISSUER: 'http://localhost:3001/' }, /ISSUER.*trailing slash/],
    [{ JWKS_URL: 'file:///etc/passwd' }, /JWKS_URL must be an http\(s\) URL/],
    [{ JWKS_FETCH_TIMEOUT_MS: '10' }, /JWKS_FETCH_TIMEOUT_MS/],
    [{ JWKS_COOLDOWN_SECONDS: '600', JWKS_CACHE_TTL_SECONDS: '300' }, /JWKS_COOLDOWN_SECONDS must not exceed/]
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
