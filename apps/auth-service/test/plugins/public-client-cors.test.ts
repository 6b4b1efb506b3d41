import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { PAR_PATH, USERINFO_PATH } from '@repo/contracts/authorization'
import { LOGIN_PATH } from '@repo/contracts/login'
import { REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'
import {
  REDIRECT_URI, addBrowserClient, codeFor, exchangeFields, tokenRequest, type App
} from '../authorization/browser-flow.js'
import { webOriginOf } from '../../src/plugins/public-client-cors.js'
import { buildTestApp, suiteApp } from '../helper.js'

/** The origins of the public client's redirect URIs (browser-flow's REDIRECT_URI is https://app.example/callback). */
const SPA_ORIGIN = 'https://app.example'
const LOOPBACK_SPA_ORIGIN = 'http://localhost:8080'
/** A confidential client's redirect URI: its origin is never allowed. */
const CONFIDENTIAL_ORIGIN = 'https://confidential.example'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const UNKNOWN_REFRESH = { grant_type: 'refresh_token', client_id: 'spa', refresh_token: 'unknown' }

/** Every CORS response header of an answer, and its Vary: what each case compares exactly. */
function cors (response: LightMyRequestResponse) {
  const entries = Object.entries(response.headers).filter(([name]) => name.startsWith('access-control-'))
  return { vary: response.headers.vary, ...Object.fromEntries(entries) }
}

const actual = (origin: string) => ({
  vary: 'Origin',
  'access-control-allow-origin': origin,
  'access-control-expose-headers': 'WWW-Authenticate, Retry-After, DPoP-Nonce'
})
const preflightAnswer = (origin: string, methods: string) => ({
  vary: 'Origin',
  'access-control-allow-origin': origin,
  'access-control-allow-methods': methods,
  'access-control-allow-headers': 'authorization, content-type, dpop',
  'access-control-max-age': '600'
})

const preflight = (app: App, url: string, origin: string | undefined, method = 'POST', headers = 'content-type') =>
  app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      ...(origin === undefined ? {} : { origin }),
      'access-control-request-method': method,
      'access-control-request-headers': headers
    }
  })

async function addClients (app: App) {
  await addBrowserClient(app, 'spa', { redirectUris: [REDIRECT_URI, `${LOOPBACK_SPA_ORIGIN}/callback`] })
  // A native app: a custom scheme has the opaque origin, which must not make `Origin: null` allowed.
  await addBrowserClient(app, 'native', { redirectUris: ['com.example.app:/callback'] })
  const confidential = { authMethod: 'client_secret_basic' as const, redirectUris: [`${CONFIDENTIAL_ORIGIN}/cb`] }
  await addBrowserClient(app, 'backend', confidential)
}

describe('CORS for public clients\' web origins', () => {
  const app = suiteApp()
  const ready = async () => {
    if (await app().clients.find('spa') === undefined) await addClients(app())
    return app()
  }

  it.each([
    [TOKEN_PATH, 'POST', 'POST'],
    [REVOCATION_PATH, 'POST', 'POST'],
    [USERINFO_PATH, 'GET', 'GET, POST']
  ])('answers a preflight of %s from a redirect URI\'s origin: 204, its methods', async (url, method, methods) => {
    for (const origin of [SPA_ORIGIN, LOOPBACK_SPA_ORIGIN]) {
      const response = await preflight(await ready(), url, origin, method, 'authorization,content-type,dpop')
      expect(response.statusCode).toBe(204)
      expect(response.body).toBe('')
      expect(cors(response)).toEqual(preflightAnswer(origin, methods))
    }
  })

  it.each([
    ['a method not allowed', 'DELETE', 'content-type'],
    ['a header not allowed', 'POST', 'content-type,x-debug']
  ])('answers a preflight asking for %s with the allowed lists: the browser refuses it', async (_, method, headers) => {
    const response = await preflight(await ready(), TOKEN_PATH, SPA_ORIGIN, method, headers)
    expect(response.statusCode).toBe(204)
    expect(cors(response)).toEqual(preflightAnswer(SPA_ORIGIN, 'POST'))
  })

  it('lets the app exchange its code, refresh, read the user and revoke, and read every answer', async () => {
    const server = await ready()
    const origin = { origin: SPA_ORIGIN }
    const { code, verifier } = await codeFor(server, 'spa', 'Jane', Date.now())
    const exchanged = await tokenRequest(server, exchangeFields('spa', code, verifier), origin)
    expect(exchanged.statusCode).toBe(200)
    expect(cors(exchanged)).toEqual(actual(SPA_ORIGIN))

    const { refresh_token: refreshToken } = exchanged.json<{ refresh_token: string }>()
    const refresh = { grant_type: 'refresh_token', client_id: 'spa', refresh_token: refreshToken }
    const refreshed = await tokenRequest(server, refresh, origin)
    expect(refreshed.statusCode).toBe(200)
    expect(cors(refreshed)).toEqual(actual(SPA_ORIGIN))

    const { access_token: accessToken, refresh_token: latest } = refreshed.json<Record<string, string>>()
    const bearer = { authorization: `Bearer ${accessToken}` }
    const user = await server.inject({ url: USERINFO_PATH, headers: { ...origin, ...bearer } })
    expect(user.statusCode).toBe(200)
    expect(user.json()).toMatchObject({ preferred_username: 'Jane' })
    expect(cors(user)).toEqual(actual(SPA_ORIGIN))

    const revoked = await server.inject({
      method: 'POST',
      url: REVOCATION_PATH,
      headers: { ...FORM, ...origin },
      payload: new URLSearchParams({ client_id: 'spa', token: String(latest) }).toString()
    })
    expect(revoked.statusCode).toBe(200)
    expect(cors(revoked)).toEqual(actual(SPA_ORIGIN))
  })

  it('lets the app read a refusal: a 400 of the token endpoint, a 401 of userinfo and its challenge', async () => {
    const server = await ready()
    const refused = await tokenRequest(server, UNKNOWN_REFRESH, { origin: LOOPBACK_SPA_ORIGIN })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toMatchObject({ error: 'invalid_grant' })
    expect(cors(refused)).toEqual(actual(LOOPBACK_SPA_ORIGIN))

    const unauthenticated = await server.inject({ url: USERINFO_PATH, headers: { origin: LOOPBACK_SPA_ORIGIN } })
    expect(unauthenticated.statusCode).toBe(401)
    expect(unauthenticated.headers['www-authenticate']).toMatch(/^Bearer realm=/)
    expect(cors(unauthenticated)).toEqual(actual(LOOPBACK_SPA_ORIGIN))
  })

  it.each([
    ['another site', 'https://evil.example'],
    ['a confidential client\'s redirect URI', CONFIDENTIAL_ORIGIN],
    ['an opaque origin (a native app\'s custom scheme has one)', 'null'],
    ['a wildcard', '*'],
    ['the app\'s origin over http', 'http://app.example'],
    ['the app\'s origin on another port', 'https://app.example:8443'],
    ['the app\'s origin with a trailing slash', 'https://app.example/'],
    ['the redirect URI itself', REDIRECT_URI],
    ['the app\'s origin as a prefix', 'https://app.example.evil.example'],
    ['the loopback app on another port', 'http://localhost:8081'],
    ['an origin the app\'s is longer than', 'https://app.exampl'],
    ['the loopback app\'s port cut short', 'http://localhost:808']
  ])('gives %s no CORS header on any of the three, its preflight the 404 of an unknown route', async (_, origin) => {
    const server = await ready()
    for (const url of [TOKEN_PATH, REVOCATION_PATH, USERINFO_PATH]) {
      const refused = await preflight(server, url, origin)
      expect(refused.statusCode).toBe(404)
      expect(refused.json()).toMatchObject({ statusCode: 404, code: 'not_found' })
      expect(cors(refused)).toEqual({ vary: 'Origin' })
    }
    const token = await tokenRequest(server, UNKNOWN_REFRESH, { origin })
    expect(token.statusCode).toBe(400)
    expect(cors(token)).toEqual({ vary: 'Origin' })
    const user = await server.inject({ url: USERINFO_PATH, headers: { origin } })
    expect(user.statusCode).toBe(401)
    expect(cors(user)).toEqual({ vary: 'Origin' })
  })

  it('answers a request without Origin as before, with Vary: Origin for caches', async () => {
    const server = await ready()
    expect((await preflight(server, TOKEN_PATH, undefined)).statusCode).toBe(404)
    const token = await tokenRequest(server, UNKNOWN_REFRESH)
    expect(token.statusCode).toBe(400)
    expect(cors(token)).toEqual({ vary: 'Origin' })
  })

  it.each([
    ['POST', PAR_PATH],
    ['POST', LOGIN_PATH],
    ['GET', '/authorize'],
    ['GET', '/login'],
    ['POST', '/logout'],
    ['GET', '/health/ready']
  ])('leaves %s %s alone: no CORS header, no Vary, no preflight answer', async (method, url) => {
    const server = await ready()
    const response = await server.inject({ method: method as 'GET' | 'POST', url, headers: { origin: SPA_ORIGIN } })
    expect(cors(response)).toEqual({ vary: undefined })
    const options = await preflight(server, url, SPA_ORIGIN, method)
    expect(options.statusCode).toBe(404)
    expect(cors(options)).toEqual({ vary: undefined })
  })
})

describe('webOriginOf', () => {
  it.each([
    ['https://app.example/callback', 'https://app.example'],
    ['http://localhost:8080/callback?x=1', 'http://localhost:8080'],
    ['HTTPS://App.Example:443/cb', 'https://app.example'],
    ['http://[::1]:5173/', 'http://[::1]:5173'],
    ['com.example.app:/callback', undefined],
    ['null', undefined],
    ['*', undefined]
  ])('%s → %s, the Origin a browser on that page sends (or none for a page that cannot be one)', (uri, origin) => {
    expect(webOriginOf(uri)).toBe(origin)
  })
})

describe('public clients\' origins, as the clients table has them', () => {
  it('follow a client added or removed at once, with no restart', async () => {
    const app = await buildTestApp()
    expect((await preflight(app, TOKEN_PATH, SPA_ORIGIN)).statusCode).toBe(404)
    await addBrowserClient(app, 'spa')
    expect((await preflight(app, TOKEN_PATH, SPA_ORIGIN)).statusCode).toBe(204)
    await app.clients.remove('spa')
    expect((await preflight(app, TOKEN_PATH, SPA_ORIGIN)).statusCode).toBe(404)
  })

  it('are checked before the per-IP limit: preflights neither count nor are refused; a 429 is readable', async () => {
    const app = await buildTestApp({ OAUTH_RATE_LIMIT: '2/1m' })
    await addBrowserClient(app, 'spa')
    for (let i = 0; i < 5; i++) expect((await preflight(app, TOKEN_PATH, SPA_ORIGIN)).statusCode).toBe(204)
    for (let i = 0; i < 2; i++) {
      expect((await tokenRequest(app, UNKNOWN_REFRESH, { origin: SPA_ORIGIN })).statusCode).toBe(400)
    }
    const limited = await tokenRequest(app, UNKNOWN_REFRESH, { origin: SPA_ORIGIN })
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toMatch(/^\d+$/)
    expect(cors(limited)).toEqual(actual(SPA_ORIGIN))
    const after = await preflight(app, TOKEN_PATH, SPA_ORIGIN)
    expect(after.statusCode).toBe(204)
    expect(cors(after)).toEqual(preflightAnswer(SPA_ORIGIN, 'POST'))
  })

  it('are read from public clients only, http(s) redirect URIs only', async () => {
    const app = await buildTestApp()
    await addClients(app)
    expect((await app.clients.publicRedirectUris()).sort())
      .toEqual([REDIRECT_URI, `${LOOPBACK_SPA_ORIGIN}/callback`, 'com.example.app:/callback'].sort())
  })
})
