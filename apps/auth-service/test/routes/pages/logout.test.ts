import { describe, expect, it } from 'vitest'
import { END_SESSION_PATH } from '@repo/contracts/authorization'
import { buildTestApp, tempDataDir } from '../../helper.js'
import { WEB_APP, csrfTokenIn, cookiesSet, form, signedIn, type TestApp } from './pages-helper.js'

const NOW = Date.UTC(2030, 0, 1)
const SIGNED_OUT = 'https://app.example/signed-out'

async function signedInBrowser (userName = 'Jane') {
  const dataDir = await tempDataDir()
  const app = await buildTestApp({ DATA_DIR: dataDir }, { now: () => NOW })
  await app.clients.add(WEB_APP, NOW)
  await app.clients.add({ ...WEB_APP, clientId: 'other-app', postLogoutRedirectUris: ['https://other.example/bye'] }, NOW)
  const { user, session, cookies } = await signedIn(app, userName, NOW)
  const { refreshToken } = await app.refreshTokens.issueFamily(
    { userId: user.id, clientId: 'web-app', scope: 'openid reports:read', sessionId: session.sid }, NOW)
  const idToken = await app.signIdToken({ sub: user.id, clientId: 'web-app', nonce: 'n-1', authTime: NOW, sid: session.sid })
  return { app, dataDir, user, session, cookies, refreshToken, idToken }
}

const logoutUrl = (params: Record<string, string>) => `${END_SESSION_PATH}?${new URLSearchParams(params).toString()}`

/** The session still live or not, and its refresh token still good (redeemed: call it last) or revoked. */
async function expectSignedIn (app: TestApp, cookies: Record<string, string>, refreshToken: string, signedIn: boolean) {
  expect(await app.sessions.find(cookies.session as string, NOW) !== undefined).toBe(signedIn)
  expect(await app.refreshTokens.redeem(refreshToken, NOW)).toMatchObject(signedIn ? { ok: true } : { ok: false, reason: 'revoked' })
}

describe('RP-initiated logout', () => {
  it('with a valid id_token_hint and a registered post_logout_redirect_uri: ends the session, revokes its refresh tokens, 303 there with state', async () => {
    const { app, cookies, refreshToken, idToken } = await signedInBrowser()
    const response = await app.inject({ method: 'GET', url: logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'af0ifjsldkj' }), cookies })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe(`${SIGNED_OUT}?state=af0ifjsldkj`)
    expect(response.headers['set-cookie']).toBe('session=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax')
    await expectSignedIn(app, cookies, refreshToken, false)
  })

  it('keeps the query of the registered URI and adds nothing without state', async () => {
    const { app, cookies, idToken } = await signedInBrowser()
    await app.clients.add({ ...WEB_APP, clientId: 'query-app', postLogoutRedirectUris: ['https://app.example/out?from=auth'] }, NOW)
    const hint = await app.signIdToken({ sub: (await app.users.find('Jane'))!.id, clientId: 'query-app', nonce: undefined, authTime: NOW, sid: undefined })
    expect(idToken).not.toBe(hint)
    const response = await app.inject({ method: 'GET', url: logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: 'https://app.example/out?from=auth' }), cookies })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('https://app.example/out?from=auth')
  })

  it.each([
    ['unregistered', { post_logout_redirect_uri: 'https://evil.example/' }],
    ['differing by a trailing slash', { post_logout_redirect_uri: `${SIGNED_OUT}/` }],
    ['registered for another client', { post_logout_redirect_uri: 'https://other.example/bye' }],
    ['registered for client_id, which is not the hint\'s client', { post_logout_redirect_uri: 'https://other.example/bye', client_id: 'other-app' }]
  ])('with a post_logout_redirect_uri %s: signs out but redirects nowhere', async (_name, params) => {
    const { app, cookies, refreshToken, idToken } = await signedInBrowser()
    const response = await app.inject({ method: 'GET', url: logoutUrl({ id_token_hint: idToken, state: 's', ...params }), cookies })
    expect(response.statusCode).toBe(200)
    expect(response.headers.location).toBeUndefined()
    expect(response.body).toContain('<h1>You are signed out</h1>')
    await expectSignedIn(app, cookies, refreshToken, false)
  })

  it.each([
    ['no hint', {}],
    ['a hint that is not a JWT', { id_token_hint: 'garbage' }],
    ['a hint with a broken signature', { id_token_hint: 'tampered' }],
    ['an access token as hint', { id_token_hint: 'access-token' }],
    ['another user\'s hint', { id_token_hint: 'john' }],
    ['a hint from another issuer signed with the same key', { id_token_hint: 'other-issuer' }]
  ])('with %s: asks for confirmation and signs nobody out', async (_name, params) => {
    const { app, dataDir, cookies, refreshToken, idToken } = await signedInBrowser()
    const jane = (await app.users.find('Jane'))!.id
    /** Another issuer on the same database: the same keys, another `iss`. */
    const otherIssuer = async () => (await buildTestApp({ DATA_DIR: dataDir, ISSUER: 'http://other.test' }, { now: () => NOW }))
      .signIdToken({ sub: jane, clientId: 'web-app', nonce: undefined, authTime: NOW, sid: undefined })
    const hints: Record<string, string> = {
      tampered: `${idToken.slice(0, -4)}AAAA`,
      'access-token': (await app.signAccessToken({ sub: (await app.users.find('Jane'))!.id, clientId: 'web-app', audience: 'consumer-service', scope: 'reports:read', role: 'write' })).accessToken,
      john: await app.signIdToken({ sub: (await app.users.find('John'))!.id, clientId: 'web-app', nonce: undefined, authTime: NOW, sid: undefined }),
      ...('id_token_hint' in params && params.id_token_hint === 'other-issuer') ? { 'other-issuer': await otherIssuer() } : {}
    }
    const hint: Record<string, string> = 'id_token_hint' in params ? { id_token_hint: hints[params.id_token_hint] ?? params.id_token_hint } : {}
    const response = await app.inject({ method: 'GET', url: logoutUrl({ ...hint, client_id: 'web-app', post_logout_redirect_uri: SIGNED_OUT, state: 's' }), cookies })
    expect(response.statusCode).toBe(200)
    expect(response.headers.location).toBeUndefined()
    expect(response.headers['x-frame-options']).toBe('DENY')
    expect(response.body).toContain('<h1>Sign out?</h1>')
    expect(response.body).toContain(`<input type="hidden" name="post_logout_redirect_uri" value="${SIGNED_OUT}">`)
    csrfTokenIn(response.body)
    await expectSignedIn(app, cookies, refreshToken, true)
  })

  it('signs out once the confirmation form comes back with its CSRF token, and only then', async () => {
    const { app, cookies, refreshToken } = await signedInBrowser()
    const asked = await app.inject({ method: 'GET', url: logoutUrl({ client_id: 'web-app', post_logout_redirect_uri: SIGNED_OUT, state: 's' }), cookies })
    const withCsrf = { ...cookies, ...cookiesSet(asked) }
    const fields = { client_id: 'web-app', post_logout_redirect_uri: SIGNED_OUT, state: 's', confirm: 'yes' }
    for (const csrf of [{}, { _csrf: 'forged' }]) {
      const refused = await app.inject({ method: 'POST', url: END_SESSION_PATH, ...form({ ...fields, ...csrf }), cookies: withCsrf })
      expect(refused.statusCode).toBe(403)
      expect(refused.headers.location).toBeUndefined()
    }
    expect(await app.sessions.find(cookies.session as string, NOW)).toBeDefined()

    const confirmed = await app.inject({ method: 'POST', url: END_SESSION_PATH, ...form({ ...fields, _csrf: csrfTokenIn(asked.body) }), cookies: withCsrf })
    expect(confirmed.statusCode).toBe(303)
    expect(confirmed.headers.location).toBe(`${SIGNED_OUT}?state=s`)
    await expectSignedIn(app, cookies, refreshToken, false)
  })

  it('asks to confirm a client\'s POST with a hint: a cross-site POST carries no SameSite=Lax session cookie', async () => {
    const { app, idToken } = await signedInBrowser()
    const response = await app.inject({ method: 'POST', url: END_SESSION_PATH, ...form({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT }) })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('<h1>Sign out?</h1>')
    expect(response.body).toContain(`name="id_token_hint" value="${idToken}"`)
  })

  it('says "You are signed out" to a browser without a session that follows a plain link', async () => {
    const { app } = await signedInBrowser()
    const response = await app.inject({ method: 'GET', url: END_SESSION_PATH })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('<h1>You are signed out</h1>')
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('answers garbage in any parameter with 4xx or a page, never a 5xx', async () => {
    const { app, cookies } = await signedInBrowser()
    const urls = [
      `${END_SESSION_PATH}?id_token_hint=${'x'.repeat(5000)}`,
      `${END_SESSION_PATH}?post_logout_redirect_uri=${encodeURIComponent('not a url')}&client_id=web-app`,
      `${END_SESSION_PATH}?client_id=nobody&post_logout_redirect_uri=${SIGNED_OUT}`,
      `${END_SESSION_PATH}?state=a&state=b`,
      `${END_SESSION_PATH}?id_token_hint=a.b.c`,
      `${END_SESSION_PATH}?id_token_hint=${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`
    ]
    for (const url of urls) {
      const response = await app.inject({ method: 'GET', url, cookies })
      expect(response.statusCode, url).toBeLessThan(500)
      expect(response.headers.location, url).toBeUndefined()
    }
    for (const [payload, status] of [['confirm=no', 403], ['confirm=yes&confirm=yes', 400], ['state=' + 'x'.repeat(9000), 413], ['%%', 200]] as const) {
      const response = await app.inject({ method: 'POST', url: END_SESSION_PATH, payload, headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies })
      expect(response.statusCode, payload.slice(0, 40)).toBe(status)
      expect(response.headers.location).toBeUndefined()
    }
    expect(await app.sessions.find(cookies.session as string, NOW)).toBeDefined()
  })
})
