import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { AUDIENCE, ISSUER, buildTestApp } from '../helper.js'
import {
  REDIRECT_URI, addBrowserClient, codeFor, exchangeFields, tokenRequest
} from '../authorization/browser-flow.js'

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
const INVALID_CODE = { error: 'invalid_grant', error_description: 'The authorization code is invalid' }

describe.each(ENGINES)('POST /oauth/token, grant_type=authorization_code, on %s', (engine: Engine) => {
  const build = async (now?: () => number) => buildTestApp(await engineEnv(engine), now ? { now } : {})

  it('exchanges a code once for an access token, a refresh token and an ID token', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa')
    const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now())
    const response = await tokenRequest(app, exchangeFields('spa', code, verifier))
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const body = response.json()
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'openid reports:read',
      refresh_token: expect.any(String),
      id_token: expect.any(String)
    })
    const jane = await app.users.find('Jane')
    expect(decodeProtectedHeader(body.id_token)).toMatchObject({ typ: 'JWT' })
    const idToken = decodeJwt(body.id_token)
    expect(idToken).toMatchObject({ iss: ISSUER, sub: jane?.id, aud: 'spa', nonce: 'nonce-456' })
    expect(idToken.auth_time).toEqual(expect.any(Number))
    expect(idToken.sid).toEqual(expect.any(String))
    // Every claim, exactly: the browser session's `sid` is the ID token's.
    const accessToken = decodeJwt(body.access_token)
    expect(accessToken).toEqual({
      iss: ISSUER,
      sub: jane?.id,
      client_id: 'spa',
      aud: AUDIENCE,
      scope: 'openid reports:read',
      role: 'write',
      iat: expect.any(Number),
      nbf: accessToken.iat,
      exp: (accessToken.iat as number) + 900,
      jti: expect.any(String),
      sid: idToken.sid
    })
    // The refresh token works: the family is live, and its access tokens keep the session's `sid`.
    const refreshed = await tokenRequest(app, { grant_type: 'refresh_token', client_id: 'spa', refresh_token: body.refresh_token })
    expect(refreshed.statusCode).toBe(200)
    const refreshedToken = decodeJwt(refreshed.json().access_token)
    expect(refreshedToken).toEqual({
      ...accessToken,
      iat: expect.any(Number),
      nbf: refreshedToken.iat,
      exp: (refreshedToken.iat as number) + 900,
      jti: expect.any(String)
    })
    expect(refreshedToken.jti).not.toBe(accessToken.jti)
    // Twice rotated, still the same session.
    const again = await tokenRequest(app, { grant_type: 'refresh_token', client_id: 'spa', refresh_token: refreshed.json().refresh_token })
    expect(decodeJwt(again.json().access_token).sid).toBe(idToken.sid)
  })

  it('each browser session gives its own sid: two logins of one user, two sids', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa')
    const sids = []
    for (let i = 0; i < 2; i++) {
      const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now())
      const body = (await tokenRequest(app, exchangeFields('spa', code, verifier))).json()
      expect(decodeJwt(body.access_token).sid).toBe(decodeJwt(body.id_token).sid)
      sids.push(decodeJwt(body.access_token).sid)
    }
    expect(sids[0]).toEqual(expect.any(String))
    expect(sids[1]).not.toBe(sids[0])
  })

  it('the client\'s registered audience is the aud of its access tokens, refreshed ones too', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa', { audience: 'reports-api' })
    const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now())
    const body = (await tokenRequest(app, exchangeFields('spa', code, verifier))).json()
    expect(decodeJwt(body.access_token).aud).toBe('reports-api')
    const refreshed = await tokenRequest(app, { grant_type: 'refresh_token', client_id: 'spa', refresh_token: body.refresh_token })
    expect(decodeJwt(refreshed.json().access_token)).toMatchObject({ aud: 'reports-api', client_id: 'spa', scope: 'openid reports:read' })
  })

  it('without openid: no ID token; a client without refresh_token: no refresh token', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa', { grantTypes: ['authorization_code'] })
    const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now(), { scope: 'reports:read' })
    const body = (await tokenRequest(app, exchangeFields('spa', code, verifier))).json()
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type'])
  })

  it('a code used twice: invalid_grant, and the refresh token of its first use is revoked', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa')
    const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now())
    const first = await tokenRequest(app, exchangeFields('spa', code, verifier))
    expect(first.statusCode).toBe(200)
    const second = await tokenRequest(app, exchangeFields('spa', code, verifier))
    expect(second.statusCode).toBe(400)
    expect(second.json()).toEqual(INVALID_CODE)
    const refreshed = await tokenRequest(app,
      { grant_type: 'refresh_token', client_id: 'spa', refresh_token: first.json().refresh_token })
    expect(refreshed.statusCode).toBe(400)
    expect(refreshed.json().error).toBe('invalid_grant')
  })

  it('a code sent twice at once: at most one answer has tokens, and none of its refresh tokens lives', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa')
    const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now())
    const answers = await Promise.all([1, 2, 3].map(() => tokenRequest(app, exchangeFields('spa', code, verifier))))
    const granted = answers.filter((answer) => answer.statusCode === 200)
    expect(granted.length).toBeLessThanOrEqual(1)
    for (const refused of answers.filter((answer) => answer.statusCode !== 200)) expect(refused.json()).toEqual(INVALID_CODE)
    for (const answer of granted) {
      const refreshed = await tokenRequest(app,
        { grant_type: 'refresh_token', client_id: 'spa', refresh_token: answer.json().refresh_token })
      expect(refreshed.json().error).toBe('invalid_grant')
    }
  })

  it('a code after 60 s: invalid_grant (at 59 s it still works)', async () => {
    let clock = Date.now()
    const app = await build(() => clock)
    await addBrowserClient(app, 'spa')
    const late = await codeFor(app, 'spa', 'Jane', clock)
    const inTime = await codeFor(app, 'spa', 'Jane', clock)
    clock += 59_999
    expect((await tokenRequest(app, exchangeFields('spa', inTime.code, inTime.verifier))).statusCode).toBe(200)
    clock += 1
    const response = await tokenRequest(app, exchangeFields('spa', late.code, late.verifier))
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual(INVALID_CODE)
  })

  it('refusals that leave the code usable by its own client with its verifier', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa')
    await addBrowserClient(app, 'other-spa')
    const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now())
    const cases: Array<[Record<string, string>, number, object]> = [
      // Another client presenting it.
      [exchangeFields('other-spa', code, verifier), 400, INVALID_CODE],
      // A wrong verifier, one of another length, one not of RFC 7636's characters.
      [{ ...exchangeFields('spa', code, verifier), code_verifier: `${verifier.slice(0, -1)}${verifier.endsWith('A') ? 'B' : 'A'}` }, 400, INVALID_CODE],
      [{ ...exchangeFields('spa', code, verifier), code_verifier: 'a'.repeat(43) }, 400, INVALID_CODE],
      [{ ...exchangeFields('spa', code, verifier), code_verifier: `${verifier}!` }, 400, INVALID_CODE],
      // A verifier longer than RFC 7636 allows.
      [{ ...exchangeFields('spa', code, verifier), code_verifier: 'x'.repeat(129) }, 400, INVALID_CODE],
      // The redirect URI differs.
      [{ ...exchangeFields('spa', code, verifier), redirect_uri: `${REDIRECT_URI}/` }, 400, INVALID_CODE],
      // Something missing.
      [{ grant_type: 'authorization_code', client_id: 'spa', code, redirect_uri: REDIRECT_URI }, 400,
        { error: 'invalid_request', error_description: 'code_verifier is required' }],
      [{ grant_type: 'authorization_code', client_id: 'spa', code, code_verifier: verifier }, 400,
        { error: 'invalid_request', error_description: 'redirect_uri is required' }],
      [{ grant_type: 'authorization_code', client_id: 'spa', redirect_uri: REDIRECT_URI, code_verifier: verifier }, 400,
        { error: 'invalid_request', error_description: 'code is required' }],
      // An unknown code; no client at all.
      [{ ...exchangeFields('spa', code, verifier), code: 'not-a-code' }, 400, INVALID_CODE],
      [{ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, 401,
        { error: 'invalid_client', error_description: 'Client authentication failed' }]
    ]
    for (const [fields, status, body] of cases) {
      const response = await tokenRequest(app, fields)
      expect({ fields, status: response.statusCode, body: response.json() }).toEqual({ fields, status, body })
    }
    expect((await tokenRequest(app, exchangeFields('spa', code, verifier))).statusCode).toBe(200)
  })

  it('a confidential browser client authenticates; without its secret it is refused', async () => {
    const app = await build()
    const { secret } = await addBrowserClient(app, 'web', { authMethod: 'client_secret_basic' })
    const { code, verifier } = await codeFor(app, 'web', 'Jane', Date.now())
    const fields = { ...exchangeFields('web', code, verifier) }
    const anonymous = await tokenRequest(app, fields)
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error).toBe('invalid_client')
    const { client_id: _ignored, ...withoutId } = fields
    const response = await tokenRequest(app, withoutId, { authorization: basic('web', secret as string) })
    expect(response.statusCode).toBe(200)
  })

  it('the login\'s own client and a machine client may not use the grant: unauthorized_client', async () => {
    const app = await build()
    await addBrowserClient(app, 'spa')
    const { secret } = await addBrowserClient(app, 'bot',
      { authMethod: 'client_secret_basic', grantTypes: ['client_credentials'], redirectUris: [] })
    const { code, verifier } = await codeFor(app, 'spa', 'Jane', Date.now())
    const { client_id: _ignored, ...withoutId } = exchangeFields('bot', code, verifier)
    for (const response of [
      await tokenRequest(app, exchangeFields('demo-client', code, verifier)),
      await tokenRequest(app, withoutId, { authorization: basic('bot', secret as string) })
    ]) {
      expect(response.statusCode).toBe(400)
      expect(response.json()).toEqual({
        error: 'unauthorized_client', error_description: 'This client may not use the authorization code flow'
      })
    }
  })
})
