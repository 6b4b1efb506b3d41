import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import {
  AccessTokenClaimsSchema, AccessTokenHeaderSchema, IssuedAccessTokenClaimsSchema, IssuedAccessTokenHeaderSchema, isAccessTokenTyp
} from '../src/access-token.js'
import { ROLE_SCOPES, parseScope } from '../src/scopes.js'

const header = Compile(AccessTokenHeaderSchema)
const issuedHeader = Compile(IssuedAccessTokenHeaderSchema)
const claims = Compile(AccessTokenClaimsSchema)
const issuedClaims = Compile(IssuedAccessTokenClaimsSchema)
const KID = 'ny6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE'
const VALID_HEADER = { alg: 'RS256', kid: KID, typ: 'at+jwt' }
const ISSUED_CLAIMS = {
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
/** What oidc-provider issues for a client_credentials grant: no nbf, no role. */
const FOREIGN_CLAIMS = {
  iss: 'https://idp.example.com', sub: 'reports-client', aud: 'consumer-service', exp: 1795331575, iat: 1795330675, jti: 'x1', client_id: 'reports-client', scope: 'reports:read'
}

const without = (object: Record<string, unknown>, change: Record<string, unknown>) => {
  const candidate: Record<string, unknown> = { ...object, ...change }
  for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key]
  return candidate
}

describe('AccessTokenHeaderSchema: what a resource server accepts from any issuer', () => {
  it.each(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])('accepts %s', (alg) => {
    expect(header.Check({ ...VALID_HEADER, alg })).toBe(true)
  })

  it.each([
    ['a named kid', { kid: 'rsa-2026-11' }],
    ['a UUID kid', { kid: '3b1e1b4c-4f9a-4d3e-9c38-1c5c0e0f7a11' }],
    ['no kid', { kid: undefined }],
    ['typ application/at+jwt', { typ: 'application/at+jwt' }],
    ['an x5t thumbprint', { x5t: 'nYVUAh9Lp4v3yBYrOq3uN8Sg1k8' }],
    ['an x5t#S256 thumbprint', { 'x5t#S256': 'Zm9v' }]
  ])('accepts %s', (_case, change) => {
    expect(header.Check(without(VALID_HEADER, change))).toBe(true)
  })

  it.each([
    ['alg none', { alg: 'none' }],
    ['alg HS256', { alg: 'HS256' }],
    ['alg Ed25519 (not verifiable by fast-jwt)', { alg: 'Ed25519' }],
    ['no typ', { typ: undefined }],
    ['no alg', { alg: undefined }],
    ['a kid with a space', { kid: 'a b' }],
    ['a 257-character kid', { kid: 'k'.repeat(257) }],
    ['an empty kid', { kid: '' }],
    ['a kid that is an object', { kid: { $ne: null } }],
    ['a jku', { jku: 'https://evil.example/jwks.json' }],
    ['an embedded jwk', { jwk: { kty: 'oct', k: 'c2VjcmV0' } }],
    ['an x5u', { x5u: 'https://evil.example/cert.pem' }],
    ['an x5c', { x5c: ['MIIB'] }],
    ['a crit', { crit: ['exp'] }],
    ['b64', { b64: false }]
  ])('rejects %s', (_case, change) => {
    expect(header.Check(without(VALID_HEADER, change))).toBe(false)
  })
})

describe('isAccessTokenTyp (RFC 9068 §4, RFC 7515 §4.1.9)', () => {
  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/AT+jwt'])('accepts %s', (typ) => {
    expect(isAccessTokenTyp(typ)).toBe(true)
  })

  it.each(['JWT', 'jwt', 'at+JWS', 'application/jwt', 'application/application/at+jwt', '', 1, undefined])('rejects %j', (typ) => {
    expect(isAccessTokenTyp(typ)).toBe(false)
  })
})

describe('IssuedAccessTokenHeaderSchema: what the auth service sends', () => {
  it('is a thumbprint kid, one of three algorithms and typ at+jwt', () => {
    expect(issuedHeader.Check(VALID_HEADER)).toBe(true)
    expect(issuedHeader.Check({ ...VALID_HEADER, kid: 'rsa-1' })).toBe(false)
    expect(issuedHeader.Check({ ...VALID_HEADER, alg: 'PS256' })).toBe(false)
    expect(issuedHeader.Check({ ...VALID_HEADER, typ: 'application/at+jwt' })).toBe(false)
  })
})

describe('AccessTokenClaimsSchema: the RFC 9068 profile', () => {
  it('accepts a token the auth service issues, and one of another conformant issuer', () => {
    expect(claims.Check(ISSUED_CLAIMS)).toBe(true)
    expect(claims.Check(FOREIGN_CLAIMS)).toBe(true)
    expect(claims.Check({ ...FOREIGN_CLAIMS, aud: ['consumer-service', 'other'], groups: ['a'], auth_time: 1795330000 })).toBe(true)
  })

  it.each(['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'])('requires %s (RFC 9068 §2.2)', (claim) => {
    expect(claims.Check(without(FOREIGN_CLAIMS, { [claim]: undefined }))).toBe(false)
  })

  it.each(['nbf', 'scope', 'role'])('does not require %s', (claim) => {
    expect(claims.Check(without(ISSUED_CLAIMS, { [claim]: undefined }))).toBe(true)
  })

  it.each([
    ['an empty audience list', { aud: [] }],
    ['a fractional exp', { exp: 1.5 }],
    ['a string exp', { exp: '1795331575' }],
    ['a string nbf', { nbf: '1795330675' }],
    ['a scope that is a list', { scope: ['reports:read'] }],
    ['an empty subject', { sub: '' }]
  ])('rejects %s', (_case, change) => {
    expect(claims.Check({ ...ISSUED_CLAIMS, ...change })).toBe(false)
  })
})

describe('IssuedAccessTokenClaimsSchema: what the auth service issues', () => {
  it('is a stricter case of the profile', () => {
    expect(issuedClaims.Check(ISSUED_CLAIMS)).toBe(true)
    expect(claims.Check(ISSUED_CLAIMS)).toBe(true)
    expect(issuedClaims.Check(FOREIGN_CLAIMS)).toBe(false)
  })

  it.each(['nbf', 'scope'])('requires %s', (claim) => {
    expect(issuedClaims.Check(without(ISSUED_CLAIMS, { [claim]: undefined }))).toBe(false)
  })

  it('has no role on a client\'s token', () => {
    expect(issuedClaims.Check(without(ISSUED_CLAIMS, { role: undefined, sub: 'reports-bot', client_id: 'reports-bot' }))).toBe(true)
  })

  it('allows only the roles of the user database', () => {
    expect(issuedClaims.Check({ ...ISSUED_CLAIMS, role: 'admin' })).toBe(false)
  })

  it('carries a browser session\'s sid, which any resource server accepts; never an empty one', () => {
    const withSid = { ...ISSUED_CLAIMS, sid: '5f0a2c1e-7d1e-4b7a-9a3e-2f1c0b9d8e7f' }
    expect(issuedClaims.Check(withSid)).toBe(true)
    expect(claims.Check(withSid)).toBe(true)
    expect(issuedClaims.Check({ ...ISSUED_CLAIMS, sid: '' })).toBe(false)
    expect(issuedClaims.Check({ ...ISSUED_CLAIMS, sid: 42 })).toBe(false)
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
