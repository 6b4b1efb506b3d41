import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_RESUME_PATH } from '@repo/contracts/authorization'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { ISSUER, buildTestApp, suiteApp } from '../helper.js'
import {
  REDIRECT_URI, addBrowserClient, authorizationQuery, authorize, exchangeFields, expectClientRedirect,
  expectErrorPage, pkce, sessionCookie, tokenRequest, type App
} from '../authorization/browser-flow.js'

const STATE = 'state-123'

/** The interaction id of a redirect to the login or consent page, and the cookie naming it. */
function interactionOf (app: App, response: Awaited<ReturnType<App['inject']>>, page: string) {
  expect(response.statusCode).toBe(303)
  const location = new URL(String(response.headers.location), ISSUER)
  expect(location.pathname).toBe(page)
  const id = location.searchParams.get('interaction') as string
  const name = app.browserCookies.interaction.name
  const cookie = response.cookies.find((set) => set.name === name)
  expect(cookie).toMatchObject({ value: id, httpOnly: true, sameSite: 'Lax', path: '/' })
  return { id, cookie: `${name}=${id}` }
}

describe.each(ENGINES)('GET /authorize on %s', (engine: Engine) => {
  describe('refusals that go back to the verified redirect URI', () => {
    const app = suiteApp(() => engineEnv(engine))
    const { challenge } = pkce()

    it.each<[string, Record<string, string | undefined>, string]>([
      ['no PKCE', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
      ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['no code_challenge_method (plain by default)', { code_challenge_method: undefined }, 'invalid_request'],
      ['a challenge that is not 43 base64url characters', { code_challenge: 'short' }, 'invalid_request'],
      ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
      ['no response_type', { response_type: undefined }, 'invalid_request'],
      ['response_mode=fragment', { response_mode: 'fragment' }, 'invalid_request'],
      ['a scope the client may not have', { scope: 'admin' }, 'invalid_scope'],
      ['prompt=none with another value', { prompt: 'none login' }, 'invalid_request'],
      ['a max_age that is not a number', { max_age: '-1' }, 'invalid_request'],
      ['a dpop_jkt that is no JWK thumbprint', { dpop_jkt: 'x'.repeat(42) }, 'invalid_request'],
      ['a dpop_jkt with a character outside base64url', { dpop_jkt: `${'x'.repeat(42)}=` }, 'invalid_request']
    ])('%s: %s with state and iss', async (_name, overrides, error) => {
      const clientId = `spa-${crypto.randomUUID()}`
      await addBrowserClient(app(), clientId)
      const response = await authorize(app(), authorizationQuery(clientId, challenge, overrides))
      expectClientRedirect(response, { error, error_description: expect.any(String), state: STATE })
    })

    it('prompt=none without a session: login_required, with state and iss', async () => {
      await addBrowserClient(app(), 'spa-none')
      const response = await authorize(app(), authorizationQuery('spa-none', challenge, { prompt: 'none' }))
      expectClientRedirect(response, { error: 'login_required', error_description: expect.any(String), state: STATE })
    })

    it('a client registered with --require-par that does not push: invalid_request', async () => {
      await addBrowserClient(app(), 'spa-par-only', { requirePar: true })
      const response = await authorize(app(), authorizationQuery('spa-par-only', challenge))
      expectClientRedirect(response, { error: 'invalid_request', error_description: expect.any(String), state: STATE })
    })

    it('a client not allowed the code flow: unauthorized_client', async () => {
      await addBrowserClient(app(), 'spa-no-code', { grantTypes: ['refresh_token'] })
      const response = await authorize(app(), authorizationQuery('spa-no-code', challenge))
      expectClientRedirect(response,
        { error: 'unauthorized_client', error_description: expect.any(String), state: STATE })
    })

    it('keeps a query the registered redirect URI has, and appends to it', async () => {
      const withQuery = 'https://app.example/cb?tenant=a'
      await addBrowserClient(app(), 'spa-query', { redirectUris: [withQuery] })
      const response = await authorize(app(),
        authorizationQuery('spa-query', challenge, { redirect_uri: withQuery, prompt: 'none' }))
      const location = new URL(String(response.headers.location))
      expect([...location.searchParams.keys()]).toEqual(['tenant', 'error', 'error_description', 'state', 'iss'])
      expect(location.searchParams.get('tenant')).toBe('a')
    })
  })

  describe('refusals that end on the error page, never a redirect', () => {
    const app = suiteApp(() => engineEnv(engine))
    const { challenge } = pkce()

    it.each<[string, Record<string, string | undefined>]>([
      ['an unregistered client', { client_id: 'nobody' }],
      ['no client_id', { client_id: undefined }],
      ['a redirect URI one character off', { redirect_uri: 'https://app.example/callbacc' }],
      ['a redirect URI with a trailing slash', { redirect_uri: `${REDIRECT_URI}/` }],
      ['a redirect URI with a query added', { redirect_uri: `${REDIRECT_URI}?next=/` }],
      ['a redirect URI of another host', { redirect_uri: 'https://evil.example/callback' }],
      ['a redirect URI in another case', { redirect_uri: 'https://APP.example/callback' }],
      ['redirect_uri twice', { redirect_uri: `${REDIRECT_URI}&redirect_uri=${REDIRECT_URI}` }]
    ])('%s', async (_name, overrides) => {
      await addBrowserClient(app(), 'spa-page').catch(() => undefined)
      const query = authorizationQuery('spa-page', challenge, overrides).replaceAll('%26redirect_uri%3D', '&redirect_uri=')
      const response = await authorize(app(), query)
      expectErrorPage(response)
      // Even with a PKCE or response_type error as well: the redirect URI is checked first.
      const worse = await authorize(app(), `${query}&response_type=token`)
      expectErrorPage(worse)
    })

    it('no redirect_uri when the client has two registered', async () => {
      await addBrowserClient(app(), 'spa-two', { redirectUris: [REDIRECT_URI, 'https://app.example/other'] })
      expectErrorPage(await authorize(app(), authorizationQuery('spa-two', challenge, { redirect_uri: undefined })))
    })

    it('no redirect_uri when the client has one: that one', async () => {
      await addBrowserClient(app(), 'spa-one')
      const response = await authorize(app(),
        authorizationQuery('spa-one', challenge, { redirect_uri: undefined, prompt: 'none' }))
      expectClientRedirect(response, { error: 'login_required', error_description: expect.any(String), state: STATE })
    })

    it('loopback IP redirect URIs match whatever the port; localhost does not', async () => {
      await addBrowserClient(app(), 'native', {
        redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8000/cb', 'http://localhost:3000/cb']
      })
      for (const uri of ['http://127.0.0.1:51234/cb', 'http://[::1]:4444/cb', 'http://127.0.0.1/cb']) {
        const response = await authorize(app(), authorizationQuery('native', challenge, { redirect_uri: uri, prompt: 'none' }))
        expectClientRedirect(response,
          { error: 'login_required', error_description: expect.any(String), state: STATE }, uri)
      }
      for (const uri of ['http://localhost:3001/cb', 'http://127.0.0.1:51234/cb/', 'http://127.0.0.2:80/cb',
        'https://127.0.0.1:51234/cb', 'http://127.0.0.1:51234/cb?x=1', 'http://[::1]:4444/cb#f']) {
        expectErrorPage(await authorize(app(), authorizationQuery('native', challenge, { redirect_uri: uri })))
      }
    })

    it('escapes nothing it echoes: the page names no parameter value', async () => {
      const response = await authorize(app(), authorizationQuery('<script>alert(1)</script>', challenge))
      expectErrorPage(response)
      expect(response.body).not.toContain('<script>')
    })
  })

  describe('sessions, single sign-on, prompt and max_age', () => {
    it('a browser without a session goes to the login page; back from it, the client gets a code', async () => {
      let clock = Date.now()
      const app = await buildTestApp(await engineEnv(engine), { now: () => clock })
      await addBrowserClient(app, 'spa')
      const { challenge } = pkce()
      const start = await authorize(app, authorizationQuery('spa', challenge))
      const { id, cookie } = interactionOf(app, start, '/login')
      expect(start.headers['set-cookie']).toBeDefined()

      clock += 5000
      const session = await sessionCookie(app, 'Jane', clock)
      const resumed = await app.inject({
        url: `${AUTHORIZATION_RESUME_PATH}?interaction=${id}`, headers: { cookie: `${cookie}; ${session}` }
      })
      expectClientRedirect(resumed, { code: expect.any(String), state: STATE })
      // The interaction is over: its cookie is cleared and it cannot finish twice.
      expect(resumed.cookies.find((set) => set.name === app.browserCookies.interaction.name)).toMatchObject({ value: '', maxAge: 0 })
      const again = await app.inject({
        url: `${AUTHORIZATION_RESUME_PATH}?interaction=${id}`, headers: { cookie: `${cookie}; ${session}` }
      })
      expectErrorPage(again)
    })

    it('a second client in the same browser gets a code without the login page (SSO)', async () => {
      const app = await buildTestApp(await engineEnv(engine))
      await addBrowserClient(app, 'spa-a')
      await addBrowserClient(app, 'spa-b')
      const cookie = await sessionCookie(app, 'Jane', Date.now())
      const { challenge } = pkce()
      expectClientRedirect(await authorize(app, authorizationQuery('spa-a', challenge), cookie),
        { code: expect.any(String), state: STATE })
      expectClientRedirect(await authorize(app, authorizationQuery('spa-b', challenge, { prompt: 'none' }), cookie),
        { code: expect.any(String), state: STATE })
    })

    it('prompt=login sends a logged-in browser to the login page, and wants a login made after it', async () => {
      let clock = Date.now()
      const app = await buildTestApp(await engineEnv(engine), { now: () => clock })
      await addBrowserClient(app, 'spa')
      const old = await sessionCookie(app, 'Jane', clock)
      clock += 1000
      const { challenge } = pkce()
      const start = await authorize(app, authorizationQuery('spa', challenge, { prompt: 'login' }), old)
      const { id, cookie } = interactionOf(app, start, '/login')
      const url = `${AUTHORIZATION_RESUME_PATH}?interaction=${id}`
      // Back without logging in again: the login page once more, same interaction.
      const stale = await app.inject({ url, headers: { cookie: `${cookie}; ${old}` } })
      expect(stale.statusCode).toBe(303)
      expect(stale.headers.location).toBe(`/login?interaction=${id}`)
      clock += 1000
      const fresh = await sessionCookie(app, 'Jane', clock)
      expectClientRedirect(await app.inject({ url, headers: { cookie: `${cookie}; ${fresh}` } }),
        { code: expect.any(String), state: STATE })
    })

    it('max_age: a login older than it goes to the login page, a younger one gets a code', async () => {
      let clock = Date.now()
      const app = await buildTestApp(await engineEnv(engine), { now: () => clock })
      await addBrowserClient(app, 'spa')
      const cookie = await sessionCookie(app, 'Jane', clock)
      clock += 120_000
      const { challenge } = pkce()
      expectClientRedirect(await authorize(app, authorizationQuery('spa', challenge, { max_age: '300' }), cookie),
        { code: expect.any(String), state: STATE })
      const tooOld = await authorize(app, authorizationQuery('spa', challenge, { max_age: '60' }), cookie)
      interactionOf(app, tooOld, '/login')
      expectClientRedirect(
        await authorize(app, authorizationQuery('spa', challenge, { max_age: '60', prompt: 'none' }), cookie),
        { error: 'login_required', error_description: expect.any(String), state: STATE })
    })

    it('a session cookie that names no live session counts as none', async () => {
      const app = await buildTestApp(await engineEnv(engine))
      await addBrowserClient(app, 'spa')
      const { challenge } = pkce()
      const response = await authorize(app, authorizationQuery('spa', challenge, { prompt: 'none' }),
        `${app.browserCookies.session.name}=forged`)
      expectClientRedirect(response, { error: 'login_required', error_description: expect.any(String), state: STATE })
    })

    it('narrows the scope to the user\'s role: a read user asking for write gets read', async () => {
      const app = await buildTestApp(await engineEnv(engine))
      await addBrowserClient(app, 'spa')
      const cookie = await sessionCookie(app, 'John', Date.now())
      const { challenge, verifier } = pkce()
      const response = await authorize(app, authorizationQuery('spa', challenge, { scope: 'reports:write' }), cookie)
      expectClientRedirect(response, { error: 'invalid_scope', error_description: expect.any(String), state: STATE })
      const both = await authorize(app,
        authorizationQuery('spa', challenge, { scope: 'reports:read reports:write' }), cookie)
      const code = expectClientRedirect(both, { code: expect.any(String), state: STATE }).get('code') as string
      const token = await tokenRequest(app, exchangeFields('spa', code, verifier))
      expect(token.json().scope).toBe('reports:read')
      expect(decodeJwt(token.json().access_token)).toMatchObject({ scope: 'reports:read', role: 'read' })
    })
  })

  describe('third-party clients ask for consent', () => {
    it('consent page first; refused: access_denied; allowed: a code; remembered after', async () => {
      const app = await buildTestApp(await engineEnv(engine))
      await addBrowserClient(app, 'partner', { thirdParty: true })
      const session = await sessionCookie(app, 'Jane', Date.now())
      const { challenge } = pkce()

      expectClientRedirect(
        await authorize(app, authorizationQuery('partner', challenge, { prompt: 'none' }), session),
        { error: 'consent_required', error_description: expect.any(String), state: STATE })

      const refused = interactionOf(app, await authorize(app, authorizationQuery('partner', challenge), session), '/consent')
      expectClientRedirect(await app.inject({
        url: `${AUTHORIZATION_RESUME_PATH}?interaction=${refused.id}&denied=1`,
        headers: { cookie: `${refused.cookie}; ${session}` }
      }), { error: 'access_denied', error_description: expect.any(String), state: STATE })

      const allowed = interactionOf(app, await authorize(app, authorizationQuery('partner', challenge), session), '/consent')
      // Back from the consent page without consenting (no denied=1, no consent stored): the consent page again.
      const skipped = await app.inject({
        url: `${AUTHORIZATION_RESUME_PATH}?interaction=${allowed.id}`,
        headers: { cookie: `${allowed.cookie}; ${session}` }
      })
      expect(skipped.headers.location).toBe(`/consent?interaction=${allowed.id}`)
      const jane = await app.users.find('Jane')
      await app.consents.grant(jane?.id as string, 'partner', 'openid reports:read', Date.now())
      expectClientRedirect(await app.inject({
        url: `${AUTHORIZATION_RESUME_PATH}?interaction=${allowed.id}`,
        headers: { cookie: `${allowed.cookie}; ${session}` }
      }), { code: expect.any(String), state: STATE })
      expectClientRedirect(await authorize(app, authorizationQuery('partner', challenge, { prompt: 'none' }), session),
        { code: expect.any(String), state: STATE })
    })
  })

  describe('GET /authorize/resume refuses what another browser started', () => {
    it('without the interaction cookie, with another one, or after 10 minutes: the error page', async () => {
      let clock = Date.now()
      const app = await buildTestApp(await engineEnv(engine), { now: () => clock })
      await addBrowserClient(app, 'spa')
      const { challenge } = pkce()
      const { id, cookie } = interactionOf(app, await authorize(app, authorizationQuery('spa', challenge)), '/login')
      const session = await sessionCookie(app, 'Jane', clock)
      const url = `${AUTHORIZATION_RESUME_PATH}?interaction=${id}`
      expectErrorPage(await app.inject({ url, headers: { cookie: session } }))
      const name = app.browserCookies.interaction.name
      expectErrorPage(await app.inject({ url, headers: { cookie: `${name}=other; ${session}` } }))
      expectErrorPage(await app.inject(`${AUTHORIZATION_RESUME_PATH}`))
      clock += 10 * 60 * 1000
      const expired = await app.inject({ url, headers: { cookie: `${cookie}; ${await sessionCookie(app, 'Jane', clock)}` } })
      expectErrorPage(expired)
      expect(expired.body).toContain('expired')
    })
  })
})
