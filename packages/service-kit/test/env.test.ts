import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, EnvReader, checkHttpUrl, parseBoolean, parseDuration, prettyLogs } from '../src/env.js'

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3000 }),
  NAME: Type.String({ minLength: 1, default: 'svc' }),
  LEVEL: Type.Enum(['info', 'debug'], { default: 'info' }),
  URL: Type.String({ default: 'http://localhost' }),
  TTL: Type.String({ default: '15m' })
})

/** What a service's loadConfig does, in miniature. */
function load (environment: Record<string, string | undefined>) {
  const env = new EnvReader(environment, [{ from: 'TTL_SECONDS', to: 'TTL', unit: 's' }, { from: 'POLL_MS', to: 'TTL', unit: 'ms' }])
  const vars = env.read(Schema)
  const url = env.check('URL', () => checkHttpUrl('URL', vars.URL))
  const ttl = env.duration('TTL', vars.TTL, { unit: 'ms', min: '1s', max: '1d' })
  return { vars, url, ttl, warnings: env.finish() }
}

describe('EnvReader', () => {
  it('applies defaults and coerces numbers', () => {
    expect(load({}).vars).toEqual({ PORT: 3000, NAME: 'svc', LEVEL: 'info', URL: 'http://localhost', TTL: '15m' })
    expect(load({ PORT: '8080' }).vars.PORT).toBe(8080)
  })

  it('reads only the object it is given, never process.env', () => {
    process.env.NAME = 'from-process-env'
    try {
      expect(load({}).vars.NAME).toBe('svc')
    } finally {
      delete process.env.NAME
    }
  })

  it('names every bad variable at once, with the allowed values of a list', () => {
    expect(() => load({ PORT: 'x', LEVEL: 'loud', URL: 'not a url', TTL: 'forever' })).toThrow(new ConfigError(
      'invalid configuration: PORT must be integer, got "x"; LEVEL must be one of info, debug, got "loud"; ' +
      'URL must be an absolute URL, got "not a url"; TTL must be a duration like 500ms, 90s, 15m, 12h or 30d (a bare number is seconds), got "forever"'
    ))
  })

  it('keeps checking the good variables when another one fails its schema', () => {
    expect(() => load({ PORT: '70000', URL: 'ftp://x' })).toThrow(/PORT must be <= 65535, got "70000"; URL must be an http\(s\) URL/)
  })

  it('reads a renamed variable under its old name, with a deprecation warning', () => {
    const { ttl, warnings } = load({ TTL_SECONDS: '90' })
    expect(ttl).toBe(90_000)
    expect(warnings).toEqual(['TTL_SECONDS is deprecated; use TTL=90 instead (the old name stops working in the next release)'])
  })

  it('reads a bare number under an old _MS name as milliseconds', () => {
    const { ttl, warnings } = load({ POLL_MS: '1500' })
    expect(ttl).toBe(1500)
    expect(warnings[0]).toContain('use TTL=1500ms')
  })

  it('prefers the new name when both are set, and says the old one is ignored', () => {
    const { ttl, warnings } = load({ TTL: '2s', TTL_SECONDS: '90' })
    expect(ttl).toBe(2000)
    expect(warnings).toEqual(['TTL_SECONDS is deprecated and ignored because TTL is set; remove TTL_SECONDS'])
  })

  it.each([['true', true], ['1', true], ['false', false], ['0', false], ['yes', false]])('reads the boolean %j as %s', (value, expected) => {
    expect(parseBoolean(value)).toBe(expected)
  })

  it.each([['auto', true, true], ['auto', false, false], ['json', true, false], ['pretty', false, true]] as const)(
    'LOG_FORMAT=%s with a terminal %s pretty-prints: %s', (format, isTty, expected) => {
      expect(prettyLogs(format, isTty)).toBe(expected)
    })
})

describe('parseDuration', () => {
  it.each([
    ['90', 's', 90], ['90s', 's', 90], ['15m', 's', 900], ['12h', 's', 43_200], ['30d', 's', 2_592_000],
    ['500ms', 'ms', 500], ['2s', 'ms', 2000], [' 5m ', 'ms', 300_000], ['0', 's', 0]
  ] as const)('reads %j in %s as %i', (value, unit, expected) => {
    expect(parseDuration('X', value, { unit })).toBe(expected)
  })

  it.each([
    ['30 days', { unit: 's' }, /X must be a duration like/],
    ['-5s', { unit: 's' }, /X must be a duration like/],
    ['1.5s', { unit: 's' }, /X must be a duration like/],
    ['1500ms', { unit: 's' }, /X must be whole seconds, got "1500ms"/],
    ['0s', { unit: 's', min: '1s' }, /X must be 1s to any length, got "0s"/],
    ['2d', { unit: 's', max: '1d' }, /X must be 0s to 1d, got "2d"/]
  ] as const)('refuses %j', (value, limits, message) => {
    expect(() => parseDuration('X', value, limits)).toThrow(message)
  })
})

describe('checkHttpUrl', () => {
  it.each(['http://auth-service:3001', 'https://auth.example.com/tenant-1'])('accepts %s', (url) => {
    expect(checkHttpUrl('ISSUER', url)).toBe(url)
  })

  it.each([
    ['auth-service:3001', /ISSUER must be an http\(s\) URL/],
    ['not a url', /ISSUER must be an absolute URL/],
    ['ftp://auth', /http\(s\)/],
    ['http://auth/', /trailing slash/],
    ['http://auth?tenant=1', /query/],
    ['http://auth#x', /fragment/]
  ])('refuses %s', (url, message) => {
    expect(() => checkHttpUrl('ISSUER', url)).toThrow(ConfigError)
    expect(() => checkHttpUrl('ISSUER', url)).toThrow(message)
  })

  it('allows a trailing slash and a query where asked', () => {
    expect(checkHttpUrl('JWKS_URL', 'http://auth/keys/?v=1', { allowTrailingSlash: true })).toBe('http://auth/keys/?v=1')
  })
})
