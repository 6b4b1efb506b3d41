import { describe, expect, it } from 'vitest'
import { ConfigError } from '@repo/service-kit/env'
import { loadConfig } from '../src/config.js'

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3001,
      host: '0.0.0.0',
      issuer: 'http://localhost:3001',
      audience: 'consumer-service',
      clientId: 'demo-client',
      tokenTtlSeconds: 900,
      signingAlg: 'RS256',
      dataDir: './data',
      jwksMaxAgeSeconds: 300,
      seedDemoUsers: true,
      keyRotationIntervalSeconds: 2592000,
      keyPrepublishSeconds: 3600,
      keyRetireAfterSeconds: 1261,
      clockToleranceSeconds: 60,
      keyStatePollMs: 1000,
      logLevel: 'info',
      prettyLogs: false
    })
  })

  it.each([['7d', 604800], ['12h', 43200], ['90m', 5400], ['7200', 7200], ['7200s', 7200]])('reads KEY_ROTATION_INTERVAL=%s as %i seconds', (value, seconds) => {
    expect(loadConfig({ KEY_ROTATION_INTERVAL: value }).keyRotationIntervalSeconds).toBe(seconds)
  })

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      ISSUER: 'https://auth.example.com',
      TOKEN_AUDIENCE: 'api',
      TOKEN_TTL_SECONDS: '60',
      SIGNING_ALG: 'EdDSA',
      DATA_DIR: '/var/lib/auth',
      SEED_DEMO_USERS: 'false',
      LOG_LEVEL: 'debug',
      JWKS_MAX_AGE_SECONDS: '60'
    })
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      issuer: 'https://auth.example.com',
      audience: 'api',
      tokenTtlSeconds: 60,
      signingAlg: 'EdDSA',
      dataDir: '/var/lib/auth',
      seedDemoUsers: false,
      logLevel: 'debug',
      jwksMaxAgeSeconds: 60
    })
  })

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ SIGNING_ALG: 'HS256' }, /SIGNING_ALG/],
    [{ SIGNING_ALG: 'none' }, /SIGNING_ALG/],
    [{ TOKEN_TTL_SECONDS: '0' }, /TOKEN_TTL_SECONDS/],
    [{ TOKEN_TTL_SECONDS: '86401' }, /TOKEN_TTL_SECONDS/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ISSUER: 'not a url' }, /ISSUER must be an absolute URL/],
    [{ ISSUER: 'http://localhost:3001/' }, /trailing slash/],
    [{ ISSUER: 'ftp://localhost' }, /http\(s\)/],
    [{ KEY_PREPUBLISH_SECONDS: '300', JWKS_MAX_AGE_SECONDS: '300' }, /KEY_PREPUBLISH_SECONDS must be at least .* \(301\)/],
    [{ KEY_PREPUBLISH_SECONDS: '600', KEY_ROTATION_INTERVAL: '10m' }, /shorter than KEY_ROTATION_INTERVAL/],
    [{ KEY_ROTATION_INTERVAL: '30 days' }, /KEY_ROTATION_INTERVAL must be a duration/],
    [{ KEY_RETIRE_AFTER_SECONDS: '1000' }, /KEY_RETIRE_AFTER_SECONDS must be at least .* \(1261\)/]
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
