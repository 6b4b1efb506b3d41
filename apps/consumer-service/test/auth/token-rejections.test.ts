import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { INVALID_TOKEN_CHALLENGE, RESOURCE_METADATA, bearer, buildTestApp, craftToken, fakeIssuer, makeKey, manualClock, suiteApp, type FakeIssuer, type TestKey } from '../helper.js'

const now = () => Math.floor(Date.now() / 1000)

describe('accepted tokens', () => {
  const suite = suiteApp()

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('accepts a %s token and answers with its claims', async (alg) => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys[alg])) })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ message: expect.any(String), claims: { iss: issuer.origin, sub: 'user-1', role: 'write' } })
  })

  it.each<[string, () => Record<string, unknown>]>([
    ['an audience list that includes this service', () => ({ aud: ['other-service', 'consumer-service'] })],
    ['an exp 3 s ago, within the 5 s clock tolerance', () => ({ exp: now() - 3 })],
    ['an nbf 3 s ahead, within the tolerance', () => ({ nbf: now() + 3 })]
  ])('accepts %s', async (_case, claims) => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.RS256, { claims: claims() })) })
    expect(response.statusCode).toBe(200)
  })

  it.each([['lower-case scheme', 'bearer'], ['upper-case scheme', 'BEARER'], ['two spaces', 'Bearer ']])('accepts a %s', async (_case, scheme) => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const response = await app.inject({ url: '/api/v1/protected', headers: { authorization: `${scheme} ${issuer.token()}` } })
    expect(response.statusCode).toBe(200)
  })
})

describe('tokens any conformant issuer may send (RFC 9068, RFC 7517)', () => {
  // Keys as other issuers publish them: named kids, no alg (oidc-provider leaves it out), no use.
  const named = {} as { rsa: TestKey, ec: TestKey }
  const suite = suiteApp({}, async (issuer) => {
    named.rsa = await makeKey('RS256', { kid: 'rsa-2026-11' })
    named.ec = await makeKey('ES256', { kid: 'ec_key.1' })
    const { alg: _rsaAlg, use: _rsaUse, ...rsa } = named.rsa.jwk
    const { alg: _ecAlg, ...ec } = named.ec.jwk
    issuer.state.published.push(rsa, ec)
  })
  const call = (token: string, url = '/api/v1/protected') => suite.app().inject({ url, headers: bearer(token) })

  it.each<[string, (i: FakeIssuer) => string]>([
    ['typ in upper case (media types compare case-insensitively)', (i) => i.token(i.keys.ES256, { header: { typ: 'Application/AT+JWT' } })],
    ['no nbf (optional in RFC 9068 §2.2)', (i) => i.token(i.keys.EdDSA, { claims: { nbf: undefined } })],
    ['no scope, on a route that needs none', (i) => i.token(i.keys.RS256, { claims: { scope: undefined } })],
    ['no role: it is this project\'s claim, in no spec', (i) => i.token(i.keys.RS256, { claims: { role: undefined } })],
    ['a role this project does not know', (i) => i.token(i.keys.RS256, { claims: { role: ['admin'] } })],
    ['an aud array', (i) => i.token(i.keys.ES256, { claims: { aud: ['billing', 'consumer-service'] } })],
    ['an x5t certificate thumbprint beside the kid', (i) => i.token(i.keys.RS256, { header: { x5t: 'nYVUAh9Lp4v3yBYrOq3uN8Sg1k8' } })],
    ['a named kid, its JWK without alg and without use', (i) => i.token(named.rsa)],
    ['an EC key without alg (kty and crv fit one allowed algorithm)', (i) => i.token(named.ec)],
    ['no kid, when one key only can verify its alg', (i) => i.token(i.keys.EdDSA, { header: { kid: undefined } })]
  ])('accepts %s', async (_case, make) => {
    const response = await call(make(suite.issuer()))
    expect(response.statusCode).toBe(200)
  })

  it('shows the claims it verified, role included when there is one', async () => {
    const response = await call(suite.issuer().token(named.rsa, { claims: { role: 'write', nbf: undefined, groups: ['x'] } }))
    expect(response.json().claims).toEqual(expect.objectContaining({ role: 'write', client_id: 'demo-client' }))
    expect(response.json().claims).not.toHaveProperty('nbf')
    expect(response.json().claims).not.toHaveProperty('groups')
  })

  it('authorizes by scope only: no scope gets 403 on a route that needs one', async () => {
    const response = await call(suite.issuer().token(named.rsa, { claims: { scope: undefined, role: 'write' } }), '/api/v1/reports')
    expect(response.statusCode).toBe(403)
  })

  it('refuses a token without kid when two keys could verify it', async () => {
    const issuer = suite.issuer()
    await expectRejected(issuer, suite.app(), issuer.token(issuer.keys.RS256, { header: { kid: undefined } }))
  })
})

/** Every case: 401, the generic invalid_token challenge and body, and not a single extra JWKS fetch. */
async function expectRejected (issuer: FakeIssuer, app: Pick<Awaited<ReturnType<typeof buildTestApp>>, 'inject'>, token: string) {
  const fetchesBefore = issuer.state.requests.jwks
  const response = await app.inject({ url: '/api/v1/protected', headers: bearer(token) })
  expect(response.statusCode).toBe(401)
  expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE)
  expect(response.json()).toEqual({ statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message: 'The access token is invalid' })
  return { fetches: issuer.state.requests.jwks - fetchesBefore }
}

describe('rejected tokens', () => {
  const suite = suiteApp()

  it.each<[string, (issuer: FakeIssuer) => string | Promise<string>]>([
    ['alg none with no signature', (i) => craftToken({ alg: 'none', kid: i.keys.RS256.kid, typ: 'at+jwt' }, i.claims(), 'none')],
    ['alg none with a signature', (i) => i.token(i.keys.RS256, { header: { alg: 'none' } })],
    ['HS256 keyed with the RSA public key (algorithm confusion)', (i) => i.token(i.keys.RS256, {
      header: { alg: 'HS256' }, signer: { hmac: i.keys.RS256.publicKey.export({ type: 'spki', format: 'pem' }) as string }
    })],
    ['HS256 keyed with the JWK text', (i) => i.token(i.keys.RS256, { header: { alg: 'HS256' }, signer: { hmac: JSON.stringify(i.keys.RS256.jwk) } })],
    ['PS256 with the RSA key (allowed by the key type, not by the issuer)', (i) => i.token(i.keys.RS256, { header: { alg: 'PS256' } })],
    ['RS256 in the header for the EC key', (i) => i.token(i.keys.ES256, { header: { alg: 'RS256' }, signer: i.keys.RS256.privateKey })],
    ['ES256 in the header for the RSA key', (i) => i.token(i.keys.RS256, { header: { alg: 'ES256' }, signer: i.keys.ES256.privateKey })],
    ['EdDSA in the header for the EC key', (i) => i.token(i.keys.ES256, { header: { alg: 'EdDSA' }, signer: i.keys.EdDSA.privateKey })],
    ['a forged signature under a known kid', async (i) => i.token(i.keys.RS256, { signer: (await makeKey('RS256')).privateKey })],
    ['a payload changed after signing', (i) => {
      const [header, , signature] = i.token(i.keys.RS256, { claims: { role: 'read', scope: 'reports:read' } }).split('.')
      return `${header}.${Buffer.from(JSON.stringify(i.claims())).toString('base64url')}.${signature}`
    }],
    ['a signature cut off', (i) => i.token().slice(0, -10)],
    ['an attacker key embedded as jwk', async (i) => {
      const attacker = await makeKey('RS256')
      return i.token(attacker, { header: { jwk: attacker.jwk } })
    }],
    ['an x5c certificate chain', (i) => i.token(i.keys.RS256, { header: { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] } })],
    ['an x5u', (i) => i.token(i.keys.RS256, { header: { x5u: `${i.origin}/cert.pem` } })],
    ['a crit header naming exp', (i) => i.token(i.keys.RS256, { header: { crit: ['exp'] } })],
    ['a crit header naming an extension', (i) => i.token(i.keys.RS256, { header: { crit: ['b64'], b64: false } })],
    ['no typ', (i) => i.token(i.keys.RS256, { header: { typ: undefined } })],
    ['typ JWT', (i) => i.token(i.keys.RS256, { header: { typ: 'JWT' } })],
    ['typ application/jwt', (i) => i.token(i.keys.RS256, { header: { typ: 'application/jwt' } })],
    ['alg Ed25519, which the verifier does not implement', (i) => i.token(i.keys.EdDSA, { header: { alg: 'Ed25519' } })],
    ['an unknown header member', (i) => i.token(i.keys.RS256, { header: { nonce: 'abc' } })],
    ['a kid of 257 characters', (i) => i.token(i.keys.RS256, { header: { kid: 'k'.repeat(257) } })],
    ['a kid that is a path', (i) => i.token(i.keys.RS256, { header: { kid: '../../../etc/passwd' } })],
    ['a kid that is an object', (i) => i.token(i.keys.RS256, { header: { kid: { $ne: null } } })],
    ['a kid of __proto__', (i) => i.token(i.keys.RS256, { header: { kid: '__proto__' } })],
    ['another issuer', (i) => i.token(i.keys.RS256, { claims: { iss: 'http://evil.example' } })],
    ['an issuer with a trailing slash', (i) => i.token(i.keys.RS256, { claims: { iss: `${i.origin}/` } })],
    ['no iss', (i) => i.token(i.keys.RS256, { claims: { iss: undefined } })],
    ['another audience', (i) => i.token(i.keys.RS256, { claims: { aud: 'other-service' } })],
    ['an audience list without this service', (i) => i.token(i.keys.RS256, { claims: { aud: ['a', 'b'] } })],
    ['no aud', (i) => i.token(i.keys.RS256, { claims: { aud: undefined } })],
    ['not valid for another minute (nbf)', (i) => i.token(i.keys.RS256, { claims: { nbf: now() + 60 } })],
    ['issued a minute in the future (iat)', (i) => i.token(i.keys.RS256, { claims: { iat: now() + 60 } })],
    ['no exp', (i) => i.token(i.keys.RS256, { claims: { exp: undefined } })],
    ['no iat', (i) => i.token(i.keys.RS256, { claims: { iat: undefined } })],
    ['no sub', (i) => i.token(i.keys.RS256, { claims: { sub: undefined } })],
    ['no jti', (i) => i.token(i.keys.RS256, { claims: { jti: undefined } })],
    ['no client_id', (i) => i.token(i.keys.RS256, { claims: { client_id: undefined } })],
    ['an exp that is a string', (i) => i.token(i.keys.RS256, { claims: { exp: String(now() + 300) } })],
    ['a payload that is not JSON', (i) => craftToken({ alg: 'RS256', kid: i.keys.RS256.kid, typ: 'at+jwt' }, 'not json', i.keys.RS256.privateKey)],
    ['a payload that is a JSON array', (i) => craftToken({ alg: 'RS256', kid: i.keys.RS256.kid, typ: 'at+jwt' }, '[1,2]', i.keys.RS256.privateKey)],
    ['a header that is not JSON', (i) => `bm90IGpzb24.${i.token().split('.')[1]}.${i.token().split('.')[2]}`],
    ['three empty segments', () => '..'],
    ['two segments', (i) => i.token().split('.').slice(0, 2).join('.')],
    ['an opaque token', () => 'mF_9.B5f-4.1JqM'],
    ['9 KiB of token', (i) => `${i.token()}${'A'.repeat(9 * 1024)}`]
  ])('rejects %s', async (_case, make) => {
    const issuer = suite.issuer()
    const { fetches } = await expectRejected(issuer, suite.app(), await make(issuer))
    expect(fetches).toBe(0)
  })

  it('never follows a jku header to an attacker\'s JWKS', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const attacker = await fakeIssuer()
    const forged = attacker.token(attacker.keys.RS256, { header: { jku: attacker.jwksUrl }, claims: { iss: issuer.origin } })
    const { fetches } = await expectRejected(issuer, app, forged)
    expect(attacker.state.requests).toEqual({ jwks: 0, discovery: 0, other: 0 })
    expect(fetches).toBe(0)
  })

  it('never fetches keys from the issuer a token claims', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const attacker = await fakeIssuer()
    await expectRejected(issuer, app, attacker.token(attacker.keys.ES256, { claims: { iss: attacker.origin } }))
    expect(attacker.state.requests).toEqual({ jwks: 0, discovery: 0, other: 0 })
  })

  it('says that an expired token expired (RFC 6750 §3 lets it), and nothing more', async () => {
    const issuer = suite.issuer()
    const response = await suite.app().inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.RS256, { claims: { exp: now() - 60 } })) })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="consumer-service", error="invalid_token", error_description="The access token expired", ${RESOURCE_METADATA}`)
    expect(response.json()).toEqual({ statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message: 'The access token expired' })
  })

  it('rejects algorithms the configuration leaves out, even with a valid signature', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { ALLOWED_ALGS: 'RS256' })
    await expectRejected(issuer, app, issuer.token(issuer.keys.ES256))
    await expectRejected(issuer, app, issuer.token(issuer.keys.EdDSA))
    const ok = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.RS256)) })
    expect(ok.statusCode).toBe(200)
  })
})

type Alg = 'RS256' | 'ES256' | 'EdDSA'
const UNUSABLE_KEYS: Array<[string, (jwk: Record<string, unknown>) => Record<string, unknown>, Alg]> = [
  ['an encryption key', (jwk) => ({ ...jwk, use: 'enc' }), 'RS256'],
  ['a key whose alg differs from its type', (jwk) => ({ ...jwk, alg: 'ES256' }), 'RS256'],
  ['a key whose curve differs from its alg', (jwk) => ({ ...jwk, crv: 'P-384' }), 'ES256'],
  ['a key whose key_ops exclude verify', (jwk) => ({ ...jwk, key_ops: ['encrypt'] }), 'EdDSA'],
  ['a key whose alg is not allowed here', (jwk) => ({ ...jwk, alg: 'RS512' }), 'RS256'],
  ['an EC key without alg on a curve no allowed algorithm uses', (jwk) => ({ ...jwk, alg: undefined, crv: 'P-384' }), 'ES256'],
  ['a key published with its private part', (jwk) => ({ ...jwk, d: 'AAAA' }), 'EdDSA']
]

describe('keys the consumer refuses to use', () => {
  // Every unusable key is published in one JWKS, beside the issuer's good keys: one app for all cases.
  const unusable = new Map<string, TestKey>()
  const suite = suiteApp({}, async (issuer) => {
    for (const [name, change, alg] of UNUSABLE_KEYS) {
      const key = await makeKey(alg)
      const changed = change(key.jwk)
      for (const member of Object.keys(changed)) if (changed[member] === undefined) delete changed[member]
      issuer.state.published.push(changed)
      unusable.set(name, key)
    }
    const weak = await makeKey('RS256', { modulusLength: 1024 })
    issuer.state.published.push(weak.jwk)
    unusable.set('an RSA key under 2048 bits', weak)
  })

  it.each([...UNUSABLE_KEYS.map(([name]) => name), 'an RSA key under 2048 bits'])('ignores %s in the JWKS', async (name) => {
    await expectRejected(suite.issuer(), suite.app(), suite.issuer().token(unusable.get(name) as TestKey))
  })

  it('still accepts the good keys published beside them', async () => {
    const response = await suite.app().inject({ url: '/api/v1/protected', headers: bearer(suite.issuer().token(suite.issuer().keys.EdDSA)) })
    expect(response.statusCode).toBe(200)
  })

  it('ignores a kid that the JWKS lists twice', async () => {
    const issuer = await fakeIssuer()
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' })
    issuer.state.published = [...issuer.state.published, { ...other, kid: issuer.keys.RS256.kid, use: 'sig', alg: 'RS256' }]
    const app = await buildTestApp(issuer)
    await expectRejected(issuer, app, issuer.token(issuer.keys.RS256))
    const stillFine = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.ES256)) })
    expect(stillFine.statusCode).toBe(200)
  })
})

describe('the verified-token cache', () => {
  afterEach(() => { vi.useRealTimers() })

  it('does not outlive the token: a token verified once is refused after its exp', async () => {
    // Only the clock is fake: the fake issuer and the HTTP client keep their real timers.
    vi.useFakeTimers({ toFake: ['Date'] })
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { CLOCK_TOLERANCE: '0s', VERIFIED_TOKEN_CACHE: '60s' })
    const token = issuer.token(issuer.keys.ES256, { claims: { exp: now() + 1 } })
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(200)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(200)
    vi.setSystemTime(Date.now() + 2000)
    const expired = await app.inject({ url: '/api/v1/protected', headers: bearer(token) })
    expect(expired.statusCode).toBe(401)
    expect(expired.json()).toMatchObject({ code: 'invalid_token', message: 'The access token expired' })
  })

  it('answers only for the very token it verified: one character changed anywhere is a token of its own, and refused', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const token = issuer.token(issuer.keys.ES256, { claims: { sub: 'jane' } })
    const call = async (value: string) => (await app.inject({ url: '/api/v1/protected', headers: bearer(value) })).statusCode
    // Kept the second time it is verified.
    expect([await call(token), await call(token)]).toEqual([200, 200])
    // One character in the middle of each part (the last one of a part can carry only padding bits).
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const change = (part: string) => {
      const i = Math.floor(part.length / 2)
      return `${part.slice(0, i)}${part[i] === 'A' ? 'B' : 'A'}${part.slice(i + 1)}`
    }
    for (const changed of [`${change(header)}.${payload}.${signature}`, `${header}.${change(payload)}.${signature}`, `${header}.${payload}.${change(signature)}`]) {
      expect(await call(changed), changed).toBe(401)
    }
    expect(await call(token)).toBe(200)
  })

  it.each([
    ['its kid names another key', (issuer: FakeIssuer, replacement: TestKey) => issuer.state.published.map((jwk) => (jwk as { kid: string }).kid === replacement.kid ? replacement.jwk : jwk)],
    ['its key is removed', (issuer: FakeIssuer, replacement: TestKey) => issuer.state.published.filter((jwk) => (jwk as { kid: string }).kid !== replacement.kid)]
  ])('answers only while the issuer still holds the key that verified the token: not once %s', async (_case, change) => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_CACHE_TTL: '5m', VERIFIED_TOKEN_CACHE: '5m' }, { now: clock.now })
    const call = async (token: string) => (await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode
    await clock.advance(240_000)
    const token = issuer.token(issuer.keys.RS256)
    // Verified twice, so kept, and for up to five minutes.
    expect([await call(token), await call(token)]).toEqual([200, 200])

    // Once the set is fetched again (its entries expire a minute later), the cached token no longer counts.
    const replacement = await makeKey('RS256', { kid: issuer.keys.RS256.kid })
    issuer.state.published = change(issuer, replacement)
    await clock.advance(60_001)
    expect(await call(token)).toBe(401)
    expect(issuer.state.requests.jwks).toBe(2)
    expect(await call(issuer.token(issuer.keys.ES256))).toBe(200)
  })
})
