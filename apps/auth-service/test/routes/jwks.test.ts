import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { PUBLIC_JWK_MEMBERS } from '@repo/contracts/jwks'
import { AUDIENCE, ISSUER, buildTestApp, login, suiteApp } from '../helper.js'

const ALGORITHMS = [
  { alg: 'RS256', kty: 'RSA', members: ['kty', 'kid', 'use', 'alg', 'n', 'e'] },
  { alg: 'ES256', kty: 'EC', members: ['kty', 'kid', 'use', 'alg', 'crv', 'x', 'y'] },
  { alg: 'EdDSA', kty: 'OKP', members: ['kty', 'kid', 'use', 'alg', 'crv', 'x'] }
] as const

describe.each(ALGORITHMS)('GET /.well-known/jwks.json with SIGNING_ALG=$alg', ({ alg, kty, members }) => {
  const app = suiteApp({ SIGNING_ALG: alg })

  it('publishes only public members of the key', async () => {
    const response = await app().inject('/.well-known/jwks.json')

    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/jwk-set+json; charset=utf-8')
    const { keys } = response.json()
    expect(keys).toHaveLength(1)
    const [key] = keys
    expect(Object.keys(key).sort()).toEqual([...members].sort())
    expect(key).toMatchObject({ kty, alg, use: 'sig' })
    for (const member of Object.keys(key)) expect(PUBLIC_JWK_MEMBERS).toContain(member)
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(privateMember)
    expect(key.kid).toBe(await calculateJwkThumbprint(key, 'sha256'))
    // An RSA key must be at least 2048 bits (RFC 7518 §3.3).
    if (kty === 'RSA') expect(Buffer.from(key.n, 'base64url').length * 8).toBeGreaterThanOrEqual(2048)
  })

  it('serves a key that verifies a token the service issued', async () => {
    const token = (await login(app(), 'Jane', 'pass123')).json().access_token as string
    const jwks = (await app().inject('/.well-known/jwks.json')).json()

    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg], requiredClaims: ['jti', 'client_id', 'scope']
    })
    expect(protectedHeader.kid).toBe(jwks.keys[0].kid)
    expect(payload.role).toBe('write')
  })

  it('names the signing key by kid in every token header', async () => {
    const token = (await login(app(), 'John', 'testpass')).json().access_token as string
    const [key] = (await app().inject('/.well-known/jwks.json')).json().keys
    expect(decodeProtectedHeader(token).kid).toBe(key.kid)
  })
})

describe('GET /.well-known/jwks.json caching', () => {
  it('is cacheable and answers a matching If-None-Match with 304', async () => {
    const app = await buildTestApp({ JWKS_MAX_AGE: '120s' })
    const first = await app.inject('/.well-known/jwks.json')
    const etag = first.headers.etag as string
    expect(first.headers['cache-control']).toBe('public, max-age=120')
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/)

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const revalidated = await app.inject({ url: '/.well-known/jwks.json', headers: { 'if-none-match': ifNoneMatch } })
      expect(revalidated.statusCode).toBe(304)
      expect(revalidated.body).toBe('')
      expect(revalidated.headers.etag).toBe(etag)
    }
    const stale = await app.inject({ url: '/.well-known/jwks.json', headers: { 'if-none-match': '"outdated"' } })
    expect(stale.statusCode).toBe(200)
    expect(stale.body).toBe(first.body)
  })
})
