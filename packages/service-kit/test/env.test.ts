import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, checkHttpUrl, parseBoolean, readEnv } from '../src/env.js'

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, default: 3000 }),
  NAME: Type.String({ minLength: 1, default: 'svc' })
})

describe('readEnv', () => {
  it('applies defaults and coerces numbers', () => {
    expect(readEnv(Schema, {})).toEqual({ PORT: 3000, NAME: 'svc' })
    expect(readEnv(Schema, { PORT: '8080' })).toEqual({ PORT: 8080, NAME: 'svc' })
  })

  it('fails with a ConfigError naming the variable', () => {
    expect(() => readEnv(Schema, { PORT: 'x' })).toThrow(ConfigError)
    expect(() => readEnv(Schema, { PORT: 'x' })).toThrow(/invalid configuration: PORT must be integer/)
  })

  it.each([['true', true], ['1', true], ['false', false], ['0', false], ['yes', false]])('reads %j as %s', (value, expected) => {
    expect(parseBoolean(value)).toBe(expected)
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
