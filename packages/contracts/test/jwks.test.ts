import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { JwksSchema, PUBLIC_JWK_MEMBERS, PublicJwkSchema } from '../src/jwks.js'
import { ErrorBodySchema } from '../src/errors.js'

const KID = 'ny6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE'

describe('PublicJwkSchema', () => {
  const jwk = Compile(PublicJwkSchema)

  it('accepts a published signing key', () => {
    expect(jwk.Check({ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: KID, use: 'sig', alg: 'EdDSA' })).toBe(true)
  })

  it.each([
    ['an encryption key', { use: 'enc' }],
    ['a symmetric key', { kty: 'oct' }],
    ['a key without alg', { alg: undefined }],
    ['a key with a made-up kid', { kid: 'key-1' }],
    ...['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].map((member) => [`a key carrying the private member ${member}`, { [member]: 'AAAA' }] as [string, Record<string, unknown>])
  ])('rejects %s', (_case, change) => {
    const candidate: Record<string, unknown> = { kty: 'RSA', n: 'x', e: 'AQAB', kid: KID, use: 'sig', alg: 'RS256', ...change }
    for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key]
    expect(jwk.Check(candidate)).toBe(false)
  })
})

describe('PUBLIC_JWK_MEMBERS', () => {
  it('is the schema\'s members, and no private one', () => {
    expect([...PUBLIC_JWK_MEMBERS].sort()).toEqual(['alg', 'crv', 'e', 'kid', 'kty', 'n', 'use', 'x', 'y'])
  })
})

describe('JwksSchema', () => {
  it('accepts an empty set', () => {
    expect(Compile(JwksSchema).Check({ keys: [] })).toBe(true)
  })

  it.each([
    ['HTML', '<html>'],
    ['an object without keys', {}],
    ['keys that are not objects', { keys: ['a'] }]
  ])('rejects %s', (_case, value) => {
    expect(Compile(JwksSchema).Check(value)).toBe(false)
  })
})

describe('ErrorBodySchema', () => {
  it('only allows the stable codes', () => {
    const body = Compile(ErrorBodySchema)
    expect(body.Check({ statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message: 'x' })).toBe(true)
    expect(body.Check({ statusCode: 500, code: 'FST_ERR_SOMETHING', error: 'x', message: 'x' })).toBe(false)
  })
})
