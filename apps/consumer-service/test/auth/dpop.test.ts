import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { forwardedDatabase } from '@repo/service-harness/forwarded-database'
import { createTestDatabase } from '@repo/service-harness/postgres-server'
import { samples } from '@repo/service-harness/prometheus'
import { bearer, buildTestApp, captureLogs, craftToken, fakeIssuer, manualClock, suiteApp, type FakeIssuer } from '../helper.js'
import { dpopHeaders, dpopKey, proof, type DpopKey } from './dpop-client.js'

const PUBLIC_URL = 'https://api.example.com'
const PROTECTED = `${PUBLIC_URL}/api/v1/protected`
const ALGS = 'algs="ES256 EdDSA RS256 PS256"'
/** Where every challenge says the resource metadata is (RFC 9728 §5.1): at the origin the request reached. */
const metadataAt = (origin: string) => `resource_metadata="${origin}/.well-known/oauth-protected-resource"`
const METADATA = metadataAt(PUBLIC_URL)
const invalidProof = (metadata = METADATA) =>
  `DPoP ${ALGS}, error="invalid_dpop_proof", error_description="The DPoP proof is invalid", ${metadata}`
const INVALID_PROOF = invalidProof()
const DPOP_INVALID_TOKEN =
  `DPoP ${ALGS}, error="invalid_token", error_description="The access token is invalid", ${METADATA}`
/** A bearer request refused for DPoP's sake: the Bearer refusal, and the DPoP challenge that says how. */
const BEARER_REFUSED = [
  `Bearer realm="consumer-service", error="invalid_token", error_description="The access token is invalid", ${METADATA}`,
  `DPoP ${ALGS}, ${METADATA}`
]
const now = () => Math.floor(Date.now() / 1000)

type App = Awaited<ReturnType<typeof buildTestApp>>

/** A token bound to `key`, as the auth service issues one for a DPoP grant. */
const boundToken = (issuer: FakeIssuer, key: DpopKey, claims: Record<string, unknown> = {}) =>
  issuer.token(issuer.keys.ES256, { claims: { cnf: { jkt: key.jkt }, ...claims } })

async function expectRefused (response: Awaited<ReturnType<App['inject']>>, challenge: string | string[], message = 'The DPoP proof is invalid') {
  expect(response.statusCode).toBe(401)
  expect(response.headers['www-authenticate']).toEqual(challenge)
  expect(response.json()).toEqual({ statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message })
}

describe('DPoP-bound access tokens (RFC 9449 §7)', () => {
  const suite = suiteApp({ PUBLIC_URL })
  const keys = {} as { client: DpopKey, other: DpopKey }
  beforeAll(async () => {
    keys.client = await dpopKey('ES256')
    keys.other = await dpopKey('ES256')
  })
  const call = (headers: Record<string, string | string[]>, url = '/api/v1/protected', method: 'GET' | 'POST' = 'GET') =>
    suite.app().inject({ method, url, headers })

  it('accepts a bound token with a proof of its key, under the DPoP scheme in any case', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    for (const scheme of ['DPoP', 'dpop', 'DPOP']) {
      const response = await call({ authorization: `${scheme} ${token}`, dpop: await proof(keys.client, { htu: PROTECTED, token }) })
      expect(response.statusCode).toBe(200)
      expect(response.json().claims).toMatchObject({ sub: 'user-1' })
    }
  })

  it.each(['EdDSA', 'RS256', 'PS256'])('accepts a proof signed with %s', async (alg) => {
    const key = await dpopKey(alg)
    const token = boundToken(suite.issuer(), key)
    expect((await call(dpopHeaders(token, await proof(key, { htu: PROTECTED, token })))).statusCode).toBe(200)
  })

  it('checks htu without the request\'s query: a request with one is accepted with a proof for its path', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    expect((await call(dpopHeaders(token, await proof(keys.client, { htu: PROTECTED, token })), '/api/v1/protected?page=2')).statusCode).toBe(200)
  })

  it('refuses a replayed proof (the same jti): 401 invalid_dpop_proof', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    const once = await proof(keys.client, { htu: PROTECTED, token })
    expect((await call(dpopHeaders(token, once))).statusCode).toBe(200)
    await expectRefused(await call(dpopHeaders(token, once)), INVALID_PROOF)
  })

  it.each<[string, (token: string) => Promise<string>]>([
    ['a proof for another method', (token) => proof(keys.client, { htm: 'POST', htu: PROTECTED, token })],
    ['a proof for another PROTECTED', (token) => proof(keys.client, { htu: `${PUBLIC_URL}/api/v1/reports`, token })],
    ['a proof for another origin', (token) => proof(keys.client, { htu: 'https://other.example.com/api/v1/protected', token })],
    ['a proof whose htu has a query', (token) => proof(keys.client, { htu: `${PROTECTED}?page=2`, token })],
    ['a proof whose htu has a fragment', (token) => proof(keys.client, { htu: `${PROTECTED}#top`, token })],
    ['a stale proof (iat 2 minutes ago)', (token) => proof(keys.client, { htu: PROTECTED, token, iat: now() - 120 })],
    ['a proof from the future (iat in 2 minutes)', (token) => proof(keys.client, { htu: PROTECTED, token, iat: now() + 120 })],
    ['a proof with the hash of another token', (token) => proof(keys.client, { htu: PROTECTED, token: `${token}x` })],
    ['a proof without ath', (_token) => proof(keys.client, { htu: PROTECTED })],
    ['a proof without jti', (token) => proof(keys.client, { htu: PROTECTED, token, claims: { jti: undefined } })],
    ['a proof of typ JWT', (token) => proof(keys.client, { htu: PROTECTED, token, header: { typ: 'JWT' } })],
    ['a proof whose jwk has its private members', (token) => proof(keys.client, { htu: PROTECTED, token, header: { jwk: keys.client.privateJwk } })],
    ['a proof whose jwk is not the key that signed it', (token) => proof(keys.client, { htu: PROTECTED, token, header: { jwk: keys.other.publicJwk } })],
    ['a proof with alg none', async (token) => craftToken({ alg: 'none', typ: 'dpop+jwt', jwk: keys.client.publicJwk }, { jti: 'j-none', htm: 'GET', htu: PROTECTED, iat: now(), ath: 'x' }, 'none')],
    ['a proof MACed with HS256', async (token) => craftToken(
      { alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } }, { jti: 'j-hs', htm: 'GET', htu: PROTECTED, iat: now(), ath: token }, { hmac: 'secret' })],
    ['a proof that is not a JWS', async () => 'not-a-proof'],
    ['a crafted huge proof', async () => `${'e'.repeat(9000)}.${'e'.repeat(10)}.${'e'.repeat(10)}`],
    ['a proof whose header nests 2000 levels deep', async () => `${Buffer.from(`{"jwk":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`).toString('base64url')}.e30.c2ln`]
  ])('refuses %s: 401 invalid_dpop_proof', async (_case, make) => {
    const token = boundToken(suite.issuer(), keys.client)
    await expectRefused(await call(dpopHeaders(token, await make(token))), INVALID_PROOF)
  })

  it('refuses a DPoP request without a DPoP header, and one with two', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    await expectRefused(await call({ authorization: `DPoP ${token}` }), INVALID_PROOF)
    const [first, second] = [await proof(keys.client, { htu: PROTECTED, token }), await proof(keys.client, { htu: PROTECTED, token })]
    await expectRefused(await call(dpopHeaders(token, [first, second])), INVALID_PROOF)
    await expectRefused(await call(dpopHeaders(token, `${first}, ${second}`)), INVALID_PROOF)
  })

  it('refuses a proof signed by a key other than the one the token is bound to: 401 invalid_token', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    await expectRefused(await call(dpopHeaders(token, await proof(keys.other, { htu: PROTECTED, token }))), DPOP_INVALID_TOKEN, 'The access token is invalid')
  })

  it('refuses a token bound to no key under the DPoP scheme: 401 invalid_token', async () => {
    const token = suite.issuer().token(suite.issuer().keys.ES256)
    await expectRefused(await call(dpopHeaders(token, await proof(keys.client, { htu: PROTECTED, token }))), DPOP_INVALID_TOKEN, 'The access token is invalid')
  })

  it('refuses a bad token with a good proof in the DPoP scheme: 401 invalid_token, and "expired" for an expired one', async () => {
    const issuer = suite.issuer()
    const forged = issuer.token(issuer.keys.ES256, { claims: { cnf: { jkt: keys.client.jkt } }, signer: issuer.keys.RS256.privateKey })
    await expectRefused(await call(dpopHeaders(forged, await proof(keys.client, { htu: PROTECTED, token: forged }))), DPOP_INVALID_TOKEN, 'The access token is invalid')
    const expired = boundToken(issuer, keys.client, { exp: now() - 120 })
    const response = await call(dpopHeaders(expired, await proof(keys.client, { htu: PROTECTED, token: expired })))
    expect(response.headers['www-authenticate']).toBe(`DPoP ${ALGS}, error="invalid_token", error_description="The access token expired", ${METADATA}`)
  })

  it('refuses a bound token sent as a bearer token: 401 invalid_token, with a DPoP challenge beside the Bearer one', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    await expectRefused(await call(bearer(token)), BEARER_REFUSED, 'The access token is invalid')
    // Also once the token is in the verified-token cache (from its second verification on).
    for (let i = 0; i < 2; i++) expect((await call(dpopHeaders(token, await proof(keys.client, { htu: PROTECTED, token })))).statusCode).toBe(200)
    await expectRefused(await call(bearer(token)), BEARER_REFUSED, 'The access token is invalid')
  })

  it('answers a malformed DPoP Authorization header 400 invalid_request, with a DPoP challenge', async () => {
    for (const authorization of ['DPoP', 'DPoP a.b.c d.e.f', 'DPoP "a.b.c"']) {
      const response = await call({ authorization, dpop: 'a.b.c' })
      expect(response.statusCode).toBe(400)
      expect(response.headers['www-authenticate']).toBe(`DPoP ${ALGS}, error="invalid_request", error_description="The Authorization header must be: DPoP <token>", ${METADATA}`)
      expect(response.json()).toMatchObject({ code: 'invalid_request' })
    }
  })

  it('answers a DPoP value that is not a JWS 401 invalid_token, with a DPoP challenge', async () => {
    await expectRefused(await call({ authorization: 'DPoP abc', dpop: 'a.b.c' }), DPOP_INVALID_TOKEN, 'The access token is invalid')
  })

  it('answers a DPoP token sent a second way (query or form) 400 invalid_request, with a DPoP challenge', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    const challenge = `DPoP ${ALGS}, error="invalid_request", error_description="The access token must be sent in exactly one way: the Authorization header", ${METADATA}`
    const inQuery = await call(dpopHeaders(token, await proof(keys.client, { htu: PROTECTED, token })), `/api/v1/protected?access_token=${token}`)
    expect([inQuery.statusCode, inQuery.headers['www-authenticate']]).toEqual([400, challenge])
    const inForm = await suite.app().inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: {
        ...dpopHeaders(token, await proof(keys.client, { htm: 'POST', htu: `${PUBLIC_URL}/api/v1/reports`, token })),
        'content-type': 'application/x-www-form-urlencoded'
      },
      payload: `access_token=${token}&title=x`
    })
    expect([inForm.statusCode, inForm.headers['www-authenticate']]).toEqual([400, challenge])
  })

  it('answers a DPoP token without the route\'s scope 403 with a DPoP insufficient_scope challenge', async () => {
    const token = boundToken(suite.issuer(), keys.client, { scope: 'reports:read' })
    const response = await suite.app().inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'x' },
      headers: dpopHeaders(token, await proof(keys.client, { htm: 'POST', htu: `${PUBLIC_URL}/api/v1/reports`, token }))
    })
    expect(response.statusCode).toBe(403)
    expect(response.headers['www-authenticate']).toBe(`DPoP ${ALGS}, error="insufficient_scope", error_description="The access token lacks the required scope", scope="reports:write", ${METADATA}`)
  })

  it('never answers 5xx to random DPoP headers', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    const valid = await proof(keys.client, { htu: PROTECTED, token })
    const pieces = [valid, '.', '..', 'eyJ', 'e30', '=', ',', ' ', 'A'.repeat(300), valid.slice(0, 40), '\u00ff', '%00']
    let seed = 11
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
    for (let i = 0; i < 200; i++) {
      const value = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pieces[Math.floor(random() * pieces.length)]).join('')
      const response = await call(dpopHeaders(token, value))
      expect(response.statusCode, value).toBeLessThan(500)
    }
  })

  it('counts DPoP accepts and refusals by reason', async () => {
    const token = boundToken(suite.issuer(), keys.client)
    const read = async (): Promise<Record<string, number>> => Object.fromEntries(samples((await suite.app().inject('/metrics')).body, 'jwt_verifications_total')
      .map((line) => /reason="(\w+)"} (\d+)$/.exec(line) ?? []).map(([, reason, count]) => [reason, Number(count)]))
    const before = await read()
    const used = await proof(keys.client, { htu: PROTECTED, token })
    await call(dpopHeaders(token, used))
    await call(dpopHeaders(token, used))
    await call(dpopHeaders(token, await proof(keys.other, { htu: PROTECTED, token })))
    await call(dpopHeaders(token, await proof(keys.client, { htu: `${PROTECTED}x`, token })))
    await call(bearer(token))
    const after = await read()
    const moved = Object.fromEntries(Object.entries(after).filter(([reason, count]) => count !== (before[reason] ?? 0))
      .map(([reason, count]) => [reason, count - (before[reason] ?? 0)]))
    expect(moved).toEqual({ dpop: 1, dpop_replay: 1, dpop_key: 1, dpop_proof: 1, dpop_bound_as_bearer: 1 })
  })
})

describe('the log of a DPoP refusal', () => {
  it('says why a request was refused, and never holds the token or the proof', async () => {
    const issuer = await fakeIssuer()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { PUBLIC_URL }, { logger })
    const key = await dpopKey()
    const token = boundToken(issuer, key)
    const once = await proof(key, { htu: PROTECTED, token })
    const send = (headers: Record<string, string>) => app.inject({ url: '/api/v1/protected', headers })
    expect((await send(dpopHeaders(token, once))).statusCode).toBe(200)
    expect((await send(dpopHeaders(token, once))).statusCode).toBe(401)
    expect((await send(bearer(token))).statusCode).toBe(401)
    const reasons = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'access token rejected').map((line) => line.reason)
    expect(reasons).toEqual([
      'DpopRejection: the proof was used before (or the replay cache is full)',
      'DpopRejection: a DPoP-bound token sent as a bearer token'
    ])
    for (const part of [...token.split('.'), ...once.split('.')]) expect(lines.join('')).not.toContain(part)
  })
})

describe('the verified-token cache and DPoP', () => {
  it('spares a cached token\'s signature only: a replayed or wrong-key proof is still refused', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { PUBLIC_URL })
    const [key, other] = [await dpopKey(), await dpopKey()]
    const token = boundToken(issuer, key)
    const send = (proofValue: string) => app.inject({ url: '/api/v1/protected', headers: dpopHeaders(token, proofValue) })
    // Verified twice: from then on the cache holds the token.
    expect((await send(await proof(key, { htu: PROTECTED, token }))).statusCode).toBe(200)
    const last = await proof(key, { htu: PROTECTED, token })
    expect((await send(last)).statusCode).toBe(200)
    // Turn the issuer's JWKS off: only the cache can verify the token now; it still does.
    issuer.state.override = (_request, response) => { response.writeHead(503).end() }
    expect((await send(await proof(key, { htu: PROTECTED, token }))).statusCode).toBe(200)
    await expectRefused(await send(last), INVALID_PROOF)
    await expectRefused(await send(await proof(other, { htu: PROTECTED, token })), DPOP_INVALID_TOKEN, 'The access token is invalid')
    await expectRefused(await send(await proof(key, { htm: 'POST', htu: PROTECTED, token })), INVALID_PROOF)
  })
})

describe('PUBLIC_URL', () => {
  it('defaults to the scheme and Host the service sees the request with', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const key = await dpopKey()
    const token = boundToken(issuer, key)
    const send = async (htu: string) => app.inject({
      url: '/api/v1/protected', headers: { ...dpopHeaders(token, await proof(key, { htu, token })), host: 'consumer.localhost:3000' }
    })
    expect((await send('http://consumer.localhost:3000/api/v1/protected')).statusCode).toBe(200)
    // The challenge names the metadata at that origin too.
    await expectRefused(await send(PROTECTED), invalidProof(metadataAt('http://consumer.localhost:3000')))
  })

  it('when set, is the origin proofs must name, whatever Host the request came with', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { PUBLIC_URL: 'https://API.example.com:443' })
    const key = await dpopKey()
    const token = boundToken(issuer, key)
    const send = async (htu: string) => app.inject({
      url: '/api/v1/protected', headers: { ...dpopHeaders(token, await proof(key, { htu, token })), host: 'consumer.localhost:3000' }
    })
    await expectRefused(await send('http://consumer.localhost:3000/api/v1/protected'), INVALID_PROOF)
    // htu is compared normalised: the default port and the case of the host do not matter.
    expect((await send('https://api.example.com:443/api/v1/protected')).statusCode).toBe(200)
  })
})

describe('a trusted issuer\'s dpop policy', () => {
  it('"required" refuses that issuer\'s bearer tokens (401 with a DPoP challenge) and accepts its DPoP ones; "allowed" takes both', async () => {
    const [strict, lax] = [await fakeIssuer(), await fakeIssuer()]
    const app = await buildTestApp(strict, {
      PUBLIC_URL,
      TRUSTED_ISSUERS: JSON.stringify([
        { issuer: strict.origin, jwks_uri: strict.jwksUrl, dpop: 'required' },
        { issuer: lax.origin, jwks_uri: lax.jwksUrl }
      ])
    })
    const call = (headers: Record<string, string>) => app.inject({ url: '/api/v1/protected', headers })
    await expectRefused(await call(bearer(strict.token(strict.keys.RS256))), BEARER_REFUSED, 'The access token is invalid')
    expect((await call(bearer(lax.token(lax.keys.RS256)))).statusCode).toBe(200)
    const key = await dpopKey()
    for (const issuer of [strict, lax]) {
      const token = boundToken(issuer, key)
      expect((await call(dpopHeaders(token, await proof(key, { htu: PROTECTED, token })))).statusCode).toBe(200)
    }
  })
})

describe('the answer to a request without credentials', () => {
  it('carries a Bearer and a DPoP challenge, as two WWW-Authenticate lines on the wire', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    const raw = await new Promise<string[]>((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', path: '/api/v1/protected' }, (response) => {
        response.resume()
        resolve(response.rawHeaders)
      }).on('error', reject).end()
    })
    const challenges = raw.flatMap((value, index) => index % 2 === 0 && value.toLowerCase() === 'www-authenticate' ? [raw[index + 1]] : [])
    const metadata = metadataAt(`http://127.0.0.1:${port}`)
    expect(challenges).toEqual([`Bearer realm="consumer-service", ${metadata}`, `DPoP ${ALGS}, ${metadata}`])
  })
})

describe('the replay cache', () => {
  it('is shared by two consumers on one PostgreSQL database: a proof one accepted, the other refuses', async () => {
    const databaseUrl = await createTestDatabase(inject('postgresAdminUrl'))
    const issuer = await fakeIssuer()
    const [first, second] = [
      await buildTestApp(issuer, { PUBLIC_URL, DATABASE_URL: databaseUrl }),
      await buildTestApp(issuer, { PUBLIC_URL, DATABASE_URL: databaseUrl })
    ]
    const key = await dpopKey()
    const token = boundToken(issuer, key)
    const once = await proof(key, { htu: PROTECTED, token })
    const send = (app: App) => app.inject({ url: '/api/v1/protected', headers: dpopHeaders(token, once) })
    expect((await send(first)).statusCode).toBe(200)
    await expectRefused(await send(second), INVALID_PROOF)
    await expectRefused(await send(first), INVALID_PROOF)
  })

  it('in memory, holds at most DPOP_REPLAY_CACHE_SIZE proofs through a minute-long flood (a fake clock)', async () => {
    const clock = manualClock()
    const issuer = await fakeIssuer()
    const { lines, logger } = captureLogs()
    // Each proof is remembered for its 1 s window; the cache may hold 5.
    const app = await buildTestApp(issuer, { PUBLIC_URL, DPOP_IAT_WINDOW: '1s', CLOCK_TOLERANCE: '0s', DPOP_REPLAY_CACHE_SIZE: '5' }, { now: clock.now, logger })
    const key = await dpopKey()
    // Issued a little before the fake clock starts: with no clock tolerance, an iat a second ahead of it is refused.
    const token = boundToken(issuer, key, { iat: now() - 10, nbf: now() - 10, exp: now() + 3600 })
    const perSecond: number[] = []
    for (let second = 0; second < 60; second++) {
      const iat = Math.floor(clock.ms / 1000)
      let accepted = 0
      // Eight distinct proofs a second: five fit, three are refused rather than any forgotten.
      for (let i = 0; i < 8; i++) {
        const response = await app.inject({ url: '/api/v1/protected', headers: dpopHeaders(token, await proof(key, { htu: PROTECTED, token, iat })) })
        if (response.statusCode === 200) accepted++
        else expect(response.headers['www-authenticate']).toBe(INVALID_PROOF)
      }
      perSecond.push(accepted)
      await clock.advance(1000)
    }
    expect(perSecond).toEqual(Array(60).fill(5))
    expect(lines.join('')).toContain('the proof was used before (or the replay cache is full)')
  })
})

describe('the shared replay cache while PostgreSQL is away', () => {
  it('answers a DPoP request 503 with Retry-After (neither accepted nor refused), and bearer tokens carry on', { timeout: 15_000 }, async () => {
    const { url, forwarder } = await forwardedDatabase(inject('postgresAdminUrl'))
    onTestFinished(() => forwarder.close())
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { PUBLIC_URL, DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT: '1s' })
    const key = await dpopKey()
    const token = boundToken(issuer, key)
    const send = async () => app.inject({ url: '/api/v1/protected', headers: dpopHeaders(token, await proof(key, { htu: PROTECTED, token })) })
    expect((await send()).statusCode).toBe(200)

    await forwarder.down()
    const response = await send()
    expect([response.statusCode, response.headers['retry-after']]).toEqual([503, '2'])
    expect(response.json()).toMatchObject({ code: 'temporarily_unavailable' })
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)

    await forwarder.up()
    expect((await send()).statusCode).toBe(200)
  })
})
