import { generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import { describe, expect, it } from 'vitest'
import { USERINFO_PATH } from '@repo/contracts/authorization'
import { AUDIENCE, ISSUER, buildTestApp, captureLogs, suiteApp } from '../helper.js'
import { expectRefusal } from './expect-refusal.js'

const START = Date.parse('2026-12-07T10:00:00Z')
const REALM = `realm="${ISSUER}"`
const CHALLENGE = (error: string, description: string, more = '') =>
  `Bearer ${REALM}, error="${error}", error_description="${description}"${more}`
const INVALID = { status: 401, code: 'invalid_token', message: 'The access token is invalid' }
const invalidAnswer = {
  status: 401,
  challenge: CHALLENGE('invalid_token', 'The access token is invalid'),
  body: { statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message: INVALID.message }
}

describe(`GET and POST ${USERINFO_PATH}`, () => {
  let clock = START
  const app = suiteApp({}, { now: () => clock })

  const jane = async () => {
    const user = await app().users.find('Jane')
    if (!user) throw new Error('no demo user Jane')
    return user
  }
  const accessToken = async (scope = 'openid reports:read', sub?: string) => {
    const user = await jane()
    const { accessToken } = await app().signAccessToken({
      sub: sub ?? user.id, clientId: 'web-app', audience: AUDIENCE, scope, role: user.role
    })
    return accessToken
  }
  /** A token with exactly these header and claims, signed by the service's own active key. */
  const signedByService = async (header: Record<string, unknown>, claims: JWTPayload) => {
    const key = app().keyRing.signingKey()
    if (!key) throw new Error('no signing key')
    return key.sign({ alg: key.alg, kid: key.kid, ...header }, claims)
  }
  const ownClaims = async (more: JWTPayload = {}): Promise<JWTPayload> => {
    const seconds = Math.floor(clock / 1000)
    const base = { iss: ISSUER, sub: (await jane()).id, aud: AUDIENCE, client_id: 'web-app', scope: 'openid' }
    return { ...base, iat: seconds, nbf: seconds, exp: seconds + 900, jti: 'j1', ...more }
  }
  const get = (authorization?: string, url = USERINFO_PATH) =>
    app().inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } })

  it('answers who the user is, not cacheable, for a token of any audience with openid in its scope', async () => {
    const user = await jane()
    const response = await get(`Bearer ${await accessToken()}`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.json()).toEqual({ sub: user.id, preferred_username: 'Jane', role: 'write' })
  })

  it('answers the same to a POST, without a body or with a form of other fields', async () => {
    const authorization = `Bearer ${await accessToken()}`
    const bare = await app().inject({ method: 'POST', url: USERINFO_PATH, headers: { authorization } })
    const form = await app().inject({
      method: 'POST',
      url: USERINFO_PATH,
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'claims=x'
    })
    expect([bare.statusCode, form.statusCode]).toEqual([200, 200])
    expect(form.json()).toEqual(bare.json())
    expect(bare.json()).toMatchObject({ preferred_username: 'Jane' })
  })

  it('answers the role the user has now, not the one in the token', async () => {
    const user = await app().users.add('Rita', 'a long enough password', 'read')
    const { accessToken: token } = await app().signAccessToken({
      sub: user.id, clientId: 'web-app', audience: AUDIENCE, scope: 'openid', role: 'write'
    })
    const response = await get(`Bearer ${token}`)
    expect(response.json()).toEqual({ sub: user.id, preferred_username: 'Rita', role: 'read' })
  })

  it.each([
    { name: 'no Authorization header', authorization: undefined },
    { name: 'another scheme', authorization: 'Basic d2ViLWFwcDpzZWNyZXQ=' }
  ])('asks for a bearer token with a bare challenge: $name', async ({ authorization }) => {
    expectRefusal(await get(authorization), {
      status: 401,
      challenge: `Bearer ${REALM}`,
      body: { statusCode: 401, code: 'missing_token', error: 'Unauthorized', message: 'A bearer access token is required' }
    })
  })

  it.each([
    'Bearer', 'Bearer ', 'Bearer a b', 'Bearer a,b', 'Bearer "abc"', 'Bearer ü'
  ])('refuses the malformed header %j with 400 invalid_request', async (authorization) => {
    const message = 'The Authorization header must be: Bearer <token>'
    expectRefusal(await get(authorization), {
      status: 400,
      challenge: CHALLENGE('invalid_request', message),
      body: { statusCode: 400, code: 'invalid_request', error: 'Bad Request', message }
    })
  })

  it('refuses a token in the query string or the form body, even beside the header', async () => {
    const token = await accessToken()
    const message = 'The access token must be sent in the Authorization header, and only there'
    const refusal = {
      status: 400,
      challenge: CHALLENGE('invalid_request', message),
      body: { statusCode: 400, code: 'invalid_request', error: 'Bad Request', message }
    }
    expectRefusal(await get(undefined, `${USERINFO_PATH}?access_token=${token}`), refusal)
    expectRefusal(await get(`Bearer ${token}`, `${USERINFO_PATH}?access_token=${token}`), refusal)
    expectRefusal(await app().inject({
      method: 'POST',
      url: USERINFO_PATH,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `access_token=${token}`
    }), refusal)
  })

  it('refuses a POST body that is not a form', async () => {
    const message = 'A POST body must be application/x-www-form-urlencoded, or absent'
    expectRefusal(await app().inject({
      method: 'POST',
      url: USERINFO_PATH,
      headers: { authorization: `Bearer ${await accessToken()}`, 'content-type': 'application/json' },
      payload: '{}'
    }), {
      status: 400,
      challenge: CHALLENGE('invalid_request', message),
      body: { statusCode: 400, code: 'invalid_request', error: 'Bad Request', message }
    })
  })

  it.each([
    { name: 'a word', token: async () => 'garbage' },
    { name: 'three dots of nothing', token: async () => 'a.b.c' },
    { name: 'a token far too long', token: async () => 'a'.repeat(9000) },
    { name: 'a truncated signature', token: async () => (await accessToken()).slice(0, -4) },
    {
      name: 'alg none',
      token: async () => `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.` +
        `${Buffer.from(JSON.stringify(await ownClaims())).toString('base64url')}.`
    },
    {
      name: 'signed by another key under the same kid',
      token: async () => {
        const { privateKey } = await generateKeyPair('RS256')
        const kid = app().keyRing.signingKey()?.kid as string
        return new SignJWT(await ownClaims()).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(privateKey)
      }
    },
    { name: 'an ID token (typ JWT)', token: async () => signedByService({ typ: 'JWT' }, await ownClaims()) },
    { name: 'no typ', token: async () => signedByService({}, await ownClaims()) },
    {
      name: 'another issuer',
      token: async () => signedByService({ typ: 'at+jwt' }, await ownClaims({ iss: 'http://auth.test/' }))
    },
    {
      name: 'no exp',
      token: async () => signedByService({ typ: 'at+jwt' }, await ownClaims({ exp: undefined }))
    },
    {
      name: 'not valid yet',
      token: async () => signedByService({ typ: 'at+jwt' }, await ownClaims({ nbf: Math.floor(clock / 1000) + 600 }))
    },
    {
      name: 'a numeric sub',
      token: async () => signedByService({ typ: 'at+jwt' }, await ownClaims({ sub: 42 as unknown as string }))
    },
    { name: 'a user that does not exist', token: () => accessToken('openid', 'no-such-user') },
    { name: 'a client\'s own token', token: () => accessToken('openid reports:read', 'web-app') }
  ])('refuses $name with 401 invalid_token', async ({ token }) => {
    expectRefusal(await get(`Bearer ${await token()}`), invalidAnswer)
  })

  it('refuses the token of a user removed since, as invalid', async () => {
    const user = await app().users.add('Gone', 'a long enough password', 'read')
    const { accessToken: token } = await app().signAccessToken({
      sub: user.id, clientId: 'web-app', audience: AUDIENCE, scope: 'openid', role: 'read'
    })
    expect((await get(`Bearer ${token}`)).statusCode).toBe(200)
    await app().users.remove('Gone')
    expectRefusal(await get(`Bearer ${token}`), invalidAnswer)
  })

  it('says "expired" once exp and the clock tolerance have passed, and not before', async () => {
    const token = await accessToken()
    try {
      // TOKEN_TTL 900 s + CLOCK_TOLERANCE 60 s: the token is valid in the second before.
      clock = START + 959_999
      expect((await get(`Bearer ${token}`)).statusCode).toBe(200)
      clock = START + 960_000
      const message = 'The access token expired'
      expectRefusal(await get(`Bearer ${token}`), {
        status: 401,
        challenge: CHALLENGE('invalid_token', message),
        body: { statusCode: 401, code: 'invalid_token', error: 'Unauthorized', message }
      })
    } finally {
      clock = START
    }
  })

  it.each(['reports:read', 'openidx reports:read', 'OPENID', ''])(
    'refuses a valid token whose scope %j has no openid with 403 insufficient_scope', async (scope) => {
      const message = 'The access token lacks the required scope'
      expectRefusal(await get(`Bearer ${await accessToken(scope)}`), {
        status: 403,
        challenge: CHALLENGE('insufficient_scope', message, ', scope="openid"'),
        body: { statusCode: 403, code: 'insufficient_scope', error: 'Forbidden', message }
      })
    })

  it('logs why it refused a token, never the token', async () => {
    const { lines, logger } = captureLogs()
    const logged = await buildTestApp({}, { logger })
    const { accessToken: token } = await logged.signAccessToken({
      sub: 'no-such-user', clientId: 'web-app', audience: AUDIENCE, scope: 'openid'
    })
    const forged = `${token.slice(0, -8)}AAAAAAAA`
    expect((await logged.inject({ url: USERINFO_PATH, headers: { authorization: `Bearer ${forged}` } })).statusCode)
      .toBe(401)
    const refused = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'userinfo request refused')
    expect(refused?.reason).toMatch(/^ERR_JWS_SIGNATURE_VERIFICATION_FAILED: /)
    expect(lines.join('\n')).not.toContain(token.split('.')[1])
  })
})
