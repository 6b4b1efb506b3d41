import { describe, expect, it } from 'vitest'
import { INVALID_TOKEN_CHALLENGE, RESOURCE_METADATA, buildTestApp, captureLogs, fakeIssuer, suiteApp } from '../helper.js'

// Both schemes are accepted: one challenge for each (RFC 9449 §7.1), on two header lines.
const BARE_CHALLENGE = [
  `Bearer realm="consumer-service", ${RESOURCE_METADATA}`,
  `DPoP algs="ES256 EdDSA RS256 PS256", ${RESOURCE_METADATA}`
]
const INVALID_REQUEST_CHALLENGE = 'Bearer realm="consumer-service", error="invalid_request", ' +
  `error_description="The Authorization header must be: Bearer <token>", ${RESOURCE_METADATA}`

describe('the Authorization header (RFC 6750 §2.1, §3)', () => {
  const suite = suiteApp()

  it.each<[string, string | undefined, number, string, string | string[]]>([
    ['no header', undefined, 401, 'missing_token', BARE_CHALLENGE],
    ['an empty header', '', 401, 'missing_token', BARE_CHALLENGE],
    ['Basic credentials', 'Basic SmFuZTpwYXNzMTIz', 401, 'missing_token', BARE_CHALLENGE],
    ['a Digest challenge answer', 'Digest username="Jane"', 401, 'missing_token', BARE_CHALLENGE],
    ['a bare token without scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 401, 'missing_token', BARE_CHALLENGE],
    ['Bearer with no token', 'Bearer', 400, 'invalid_request', INVALID_REQUEST_CHALLENGE],
    ['Bearer and a space', 'Bearer ', 400, 'invalid_request', INVALID_REQUEST_CHALLENGE],
    ['two tokens', 'Bearer a.b.c d.e.f', 400, 'invalid_request', INVALID_REQUEST_CHALLENGE],
    ['a quoted token', 'Bearer "a.b.c"', 400, 'invalid_request', INVALID_REQUEST_CHALLENGE],
    ['a token with a comma', 'Bearer a.b.c,', 400, 'invalid_request', INVALID_REQUEST_CHALLENGE],
    ['a tab instead of a space', 'Bearer\ta.b.c', 401, 'missing_token', BARE_CHALLENGE],
    ['a token with non-ASCII text', 'Bearer a.b.cé', 400, 'invalid_request', INVALID_REQUEST_CHALLENGE],
    ['a b64token that is not a JWS', 'Bearer abc', 401, 'invalid_token', INVALID_TOKEN_CHALLENGE],
    ['a token with padding', 'Bearer a.b.c==', 401, 'invalid_token', INVALID_TOKEN_CHALLENGE]
  ])('answers %s', async (_case, authorization, status, code, challenge) => {
    const app = suite.app()
    const headers = authorization === undefined ? {} : { authorization }
    const response = await app.inject({ url: '/api/v1/protected', headers })
    expect(response.statusCode).toBe(status)
    expect(response.headers['www-authenticate']).toEqual(challenge)
    expect(response.json()).toMatchObject({ statusCode: status, code })
  })

  it('never answers 5xx to random header values', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const valid = issuer.token()
    const pieces = ['Bearer ', 'bearer  ', valid, '.', '..', '=', '%00', '\u00ff', 'eyJ', '{"alg":"none"}', ' ', 'A'.repeat(300), '/+~']
    let seed = 7
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 }
    for (let i = 0; i < 300; i++) {
      const value = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pieces[Math.floor(random() * pieces.length)]).join('')
      const response = await app.inject({ url: '/api/v1/protected', headers: { authorization: value } })
      expect(response.statusCode, value).toBeLessThan(500)
    }
  })

  it('logs why a token was rejected, but never the token', async () => {
    const issuer = await fakeIssuer()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, {}, { logger })
    const expired = issuer.token(issuer.keys.RS256, { claims: { exp: Math.floor(Date.now() / 1000) - 120 } })
    const response = await app.inject({ url: '/api/v1/protected', headers: { authorization: `Bearer ${expired}` } })
    expect(response.statusCode).toBe(401)
    const logs = lines.join('')
    expect(logs).toMatch(/"reason":"[A-Z_]*EXPIRED: [^"]*expired[^"]*".*"msg":"access token rejected"/)
    for (const part of expired.split('.')) expect(logs).not.toContain(part)
    expect(response.body).not.toMatch(/FST_JWT|FAST_JWT|EXPIRED/)
  })

  it('says at LOG_LEVEL=debug which tokens it accepted, and still never logs one', async () => {
    const issuer = await fakeIssuer()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, {}, { logger: { ...logger, level: 'debug' } })
    const token = issuer.token(issuer.keys.ES256, { claims: { sub: 'jane' } })
    expect((await app.inject({ url: '/api/v1/protected', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200)
    const verified = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'access token verified')
    expect(verified).toMatchObject({ level: 20, sub: 'jane', client_id: 'demo-client' })
    for (const part of token.split('.')) expect(lines.join('')).not.toContain(part)
  })
})
