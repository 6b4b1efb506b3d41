import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { AccessTokenClaimsSchema, AccessTokenHeaderSchema } from '../src/access-token.js'
import { ROLE_SCOPES, parseScope } from '../src/scopes.js'

const header = Compile(AccessTokenHeaderSchema)
const claims = Compile(AccessTokenClaimsSchema)
const KID = 'ny6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE'
const VALID_HEADER = { alg: 'RS256', kid: KID, typ: 'at+jwt' }
const VALID_CLAIMS = {
  iss: 'http://localhost:3001',
  sub: '1a2d9b03-0fc5-4352-ba1a-e47aeaf2f056',
  aud: 'consumer-service',
  exp: 1795331575,
  iat: 1795330675,
  nbf: 1795330675,
  jti: 'fda1864c-12e3-40e1-881a-5780946fe51d',
  client_id: 'demo-client',
  scope: 'reports:read',
  role: 'read'
}

describe('AccessTokenHeaderSchema', () => {
  it.each(['RS256', 'ES256', 'EdDSA'])('accepts %s', (alg) => {
    expect(header.Check({ ...VALID_HEADER, alg })).toBe(true)
  })

  it.each([
    ['alg none', { alg: 'none' }],
    ['alg HS256', { alg: 'HS256' }],
    ['alg RS512', { alg: 'RS512' }],
    ['typ JWT', { typ: 'JWT' }],
    ['no typ', { typ: undefined }],
    ['no kid', { kid: undefined }],
    ['a kid with a path', { kid: '../../etc/passwd' }],
    ['a 44-character kid', { kid: `${KID}A` }],
    ['a kid with padding', { kid: `${KID.slice(0, 42)}=` }],
    ['a jku', { jku: 'https://evil.example/jwks.json' }],
    ['an embedded jwk', { jwk: { kty: 'oct', k: 'c2VjcmV0' } }],
    ['an x5u', { x5u: 'https://evil.example/cert.pem' }],
    ['an x5c', { x5c: ['MIIB'] }],
    ['a crit', { crit: ['exp'] }]
  ])('rejects %s', (_case, change) => {
    const candidate: Record<string, unknown> = { ...VALID_HEADER, ...change }
    for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key]
    expect(header.Check(candidate)).toBe(false)
  })
})

describe('AccessTokenClaimsSchema', () => {
  it('accepts a token the auth service issues', () => {
    expect(claims.Check(VALID_CLAIMS)).toBe(true)
    expect(claims.Check({ ...VALID_CLAIMS, aud: ['consumer-service', 'other'] })).toBe(true)
  })

  it.each(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope', 'role'])('requires %s', (claim) => {
    const { [claim as keyof typeof VALID_CLAIMS]: _removed, ...rest } = VALID_CLAIMS
    expect(claims.Check(rest)).toBe(false)
  })

  it.each([
    ['an empty audience list', { aud: [] }],
    ['a fractional exp', { exp: 1.5 }],
    ['a string exp', { exp: '1795331575' }],
    ['an unknown role', { role: 'admin' }],
    ['an empty subject', { sub: '' }]
  ])('rejects %s', (_case, change) => {
    expect(claims.Check({ ...VALID_CLAIMS, ...change })).toBe(false)
  })
})

describe('scopes', () => {
  it('grants write users read too, and read users only read', () => {
    expect(ROLE_SCOPES.write).toEqual(['reports:read', 'reports:write'])
    expect(ROLE_SCOPES.read).toEqual(['reports:read'])
  })

  it.each([
    ['reports:read reports:write', ['reports:read', 'reports:write']],
    ['  reports:read  ', ['reports:read']],
    ['', []]
  ])('splits %j', (scope, expected) => {
    expect(parseScope(scope)).toEqual(expected)
  })
})
