import { describe, expect, it } from 'vitest'
import { bearer, buildTestApp, craftToken, fakeIssuer, makeKey, type FakeIssuer } from '../helper.js'

const trust = (...issuers: Array<{ issuer: FakeIssuer, audience?: string }>) => ({
  TRUSTED_ISSUERS: JSON.stringify(issuers.map(({ issuer, audience }) => ({ issuer: issuer.origin, jwks_uri: issuer.jwksUrl, ...(audience ? { audience } : {}) })))
})

describe('several trusted issuers', () => {
  it('accepts each one\'s tokens, verified with that one\'s keys', async () => {
    const [a, b] = [await fakeIssuer(), await fakeIssuer()]
    const app = await buildTestApp(a, trust({ issuer: a }, { issuer: b }))
    for (const issuer of [a, b]) {
      const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.ES256)) })
      expect(response.statusCode).toBe(200)
      expect(response.json().claims.iss).toBe(issuer.origin)
    }
  })

  it('never verifies a token claiming issuer B with a key of issuer A, even under the same kid', async () => {
    const [a, b] = [await fakeIssuer(), await fakeIssuer()]
    // B publishes a key of its own under A's kid.
    const impostor = await makeKey('RS256', { kid: a.keys.RS256.kid })
    b.state.published = [...b.state.published, impostor.jwk]
    const app = await buildTestApp(a, trust({ issuer: a }, { issuer: b }))
    const claimsB = a.claims({ iss: b.origin })
    const signedByA = craftToken({ alg: 'RS256', kid: a.keys.RS256.kid, typ: 'at+jwt' }, claimsB, a.keys.RS256.privateKey)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(signedByA) })).statusCode).toBe(401)
    // The same token, signed by B's key under that kid, is B's and is accepted.
    const signedByB = craftToken({ alg: 'RS256', kid: a.keys.RS256.kid, typ: 'at+jwt' }, claimsB, impostor.privateKey)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(signedByB) })).statusCode).toBe(200)
  })

  it('answers a token from an issuer it does not trust with 401, and asks nobody for keys', async () => {
    const [a, untrusted] = [await fakeIssuer(), await fakeIssuer()]
    const app = await buildTestApp(a, trust({ issuer: a }))
    const before = { ...a.state.requests }
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(untrusted.token(untrusted.keys.RS256)) })
    expect(response.statusCode).toBe(401)
    expect(untrusted.state.requests).toEqual({ jwks: 0, discovery: 0, other: 0 })
    expect(a.state.requests).toEqual(before)
  })

  it.each([
    ['the issuer with a trailing slash', (a: FakeIssuer) => `${a.origin}/`],
    ['the issuer in upper case', (a: FakeIssuer) => a.origin.toUpperCase()],
    ['an array of issuers', (a: FakeIssuer) => [a.origin]]
  ])('matches iss exactly: refuses %s', async (_case, iss) => {
    const a = await fakeIssuer()
    const app = await buildTestApp(a, trust({ issuer: a }))
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(a.token(a.keys.RS256, { claims: { iss: iss(a) } })) })
    expect(response.statusCode).toBe(401)
  })

  it('checks each issuer\'s own audience', async () => {
    const [a, b] = [await fakeIssuer(), await fakeIssuer()]
    const app = await buildTestApp(a, trust({ issuer: a }, { issuer: b, audience: 'https://reports.example.com' }))
    const call = (token: string) => app.inject({ url: '/api/v1/protected', headers: bearer(token) })
    expect((await call(b.token(b.keys.RS256, { claims: { aud: 'https://reports.example.com' } }))).statusCode).toBe(200)
    // A's audience is not B's: B's tokens for it are not for this service.
    expect((await call(b.token(b.keys.RS256, { claims: { aud: 'consumer-service' } }))).statusCode).toBe(401)
    expect((await call(a.token(a.keys.RS256, { claims: { aud: 'https://reports.example.com' } }))).statusCode).toBe(401)
  })

  it('is ready only when every trusted issuer has a usable key', async () => {
    const [a, b] = [await fakeIssuer(), await fakeIssuer()]
    b.state.override = (request, response) => { response.writeHead(503).end() }
    const app = await buildTestApp(a, trust({ issuer: a }, { issuer: b }), { waitForKeys: false })
    const ok = await app.inject({ url: '/api/v1/protected', headers: bearer(a.token(a.keys.RS256)) })
    expect(ok.statusCode).toBe(200)
    expect((await app.inject('/health/ready')).statusCode).toBe(503)
  })
})

describe('a token sent more than one way (RFC 6750 §2)', () => {
  it('refuses the Authorization header together with an access_token query parameter: 400 invalid_request', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const token = issuer.token()
    const response = await app.inject({ url: `/api/v1/protected?access_token=${token}`, headers: bearer(token) })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'invalid_request' })
    expect(response.headers['www-authenticate']).toContain('error="invalid_request"')
  })

  it('refuses the Authorization header together with an access_token form field: 400 invalid_request', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const token = issuer.token()
    const response = await app.inject({
      method: 'POST', url: '/api/v1/reports', headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' }, payload: `access_token=${token}&title=x`
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'invalid_request' })
  })

  it('still answers any other form body with 415', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const response = await app.inject({
      method: 'POST', url: '/api/v1/reports', headers: { ...bearer(issuer.token()), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'title=x'
    })
    expect(response.statusCode).toBe(415)
    expect(response.json()).toMatchObject({ code: 'unsupported_media_type' })
  })
})
