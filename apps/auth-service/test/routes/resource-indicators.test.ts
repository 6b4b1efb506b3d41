import { decodeJwt } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAR_PATH } from '@repo/contracts/authorization'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { AUDIENCE, suiteApp } from '../helper.js'
import {
  addBrowserClient, authorizationQuery, authorize, codeFor, exchangeFields, expectClientRedirect, pkce, sessionCookie,
  tokenRequest, type App
} from '../authorization/browser-flow.js'

const REPORTS = 'https://reports.example/api'
const BILLING = 'https://billing.example/api'
const ARCHIVE = 'urn:example:archive'
const NOT_REGISTERED = { error: 'invalid_target', error_description: 'The resource is not one this client may ask tokens for' }
const NOT_NAMED = { error: 'invalid_target', error_description: 'The resource is not one the authorization request named' }
const ONE_PER_TOKEN = { error: 'invalid_target', error_description: 'Name one resource per token request' }
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

/** A form body with `resource` repeated for each of `resources` (RFC 8707 §2). */
function withResources (fields: Record<string, string>, resources: string[]): string {
  const params = new URLSearchParams(fields)
  for (const resource of resources) params.append('resource', resource)
  return params.toString()
}

function post (app: App, url: string, fields: Record<string, string>, resources: string[], headers = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: withResources(fields, resources)
  })
}

const audOf = (response: { json: () => { access_token: string } }) => decodeJwt(response.json().access_token).aud

/** A refusal: 400 with exactly `body`, never cached. */
function expectRefusal (response: Awaited<ReturnType<App['inject']>>, body: object) {
  expect(response.statusCode).toBe(400)
  expect(response.headers['cache-control']).toBe('no-store')
  expect(response.json()).toEqual(body)
}

describe.each(ENGINES)('RFC 8707 resource indicators on %s', (engine: Engine) => {
  const app = suiteApp(() => engineEnv(engine))

  describe('client_credentials', () => {
    let secret = ''
    const bot = () => ({ authorization: basic('resource-bot', secret) })
    const grant = { grant_type: 'client_credentials', scope: 'reports:read' }

    beforeAll(async () => {
      secret = (await app().clients.add({
        clientId: 'resource-bot',
        authMethod: 'client_secret_basic',
        jwks: undefined,
        jwksUri: undefined,
        scope: 'reports:read',
        audience: AUDIENCE,
        grantTypes: ['client_credentials'],
        resources: [REPORTS, ARCHIVE]
      }, Date.now())).secret as string
    })

    it('a registered resource becomes aud; its registered audience, or nothing named, gives that audience', async () => {
      expect(audOf(await post(app(), '/oauth/token', grant, [REPORTS], bot()))).toBe(REPORTS)
      expect(audOf(await post(app(), '/oauth/token', grant, [ARCHIVE], bot()))).toBe(ARCHIVE)
      expect(audOf(await post(app(), '/oauth/token', grant, [AUDIENCE], bot()))).toBe(AUDIENCE)
      expect(audOf(await post(app(), '/oauth/token', grant, [], bot()))).toBe(AUDIENCE)
      // The same value twice is one resource.
      expect(audOf(await post(app(), '/oauth/token', grant, [REPORTS, REPORTS], bot()))).toBe(REPORTS)
    })

    it.each<[string, string[], object]>([
      ['a resource it is not registered for', [BILLING], NOT_REGISTERED],
      ['a registered one with a trailing slash (compared exactly)', [`${REPORTS}/`], NOT_REGISTERED],
      ['a registered one with a fragment', [`${REPORTS}#x`], NOT_REGISTERED],
      ['two resources for one token', [REPORTS, ARCHIVE], ONE_PER_TOKEN]
    ])('%s: 400 invalid_target', async (_name, resources, body) => {
      expectRefusal(await post(app(), '/oauth/token', grant, resources, bot()), body)
    })
  })

  describe('the code flow', () => {
    const spa = async (clientId: string) => addBrowserClient(app(), clientId, { resources: [REPORTS, BILLING, ARCHIVE] })
    const refresh = (clientId: string, refreshToken: string, resources: string[]) =>
      post(app(), '/oauth/token', { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken },
        resources)

    it('/authorize with a resource the client is not registered for: redirect with error=invalid_target', async () => {
      await spa('spa-unregistered')
      const { challenge } = pkce()
      const cookie = await sessionCookie(app(), 'Jane', Date.now())
      const response = await authorize(app(), authorizationQuery('spa-unregistered', challenge,
        { resource: 'https://elsewhere.example/' }), cookie)
      expectClientRedirect(response, {
        error: 'invalid_target',
        error_description: 'A resource is not one this client may ask tokens for',
        state: 'state-123'
      })
    })

    it('a resource named at /authorize narrows aud; another at the token request is refused; refresh keeps it', async () => {
      await spa('spa-one')
      const { code, verifier } = await codeFor(app(), 'spa-one', 'Jane', Date.now(), { resource: REPORTS })
      const exchange = exchangeFields('spa-one', code, verifier)
      // Refused, the code stays unused: its client may retry with the resource it named.
      expectRefusal(await post(app(), '/oauth/token', exchange, [BILLING]), NOT_NAMED)
      const tokens = await post(app(), '/oauth/token', exchange, [REPORTS])
      expect(tokens.statusCode).toBe(200)
      expect(audOf(tokens)).toBe(REPORTS)

      const refreshToken = tokens.json().refresh_token as string
      expectRefusal(await refresh('spa-one', refreshToken, [BILLING]), NOT_NAMED)
      const refreshed = await refresh('spa-one', refreshToken, [])
      expect(refreshed.statusCode).toBe(200)
      expect(audOf(refreshed)).toBe(REPORTS)
      // Its successor keeps the grant's resources too.
      const again = await refresh('spa-one', refreshed.json().refresh_token as string, [])
      expect(audOf(again)).toBe(REPORTS)
    })

    it('several resources at /authorize: the token request chooses one, a refresh may narrow to another', async () => {
      await spa('spa-two')
      const { challenge, verifier } = pkce()
      const cookie = await sessionCookie(app(), 'Jane', Date.now())
      const query = `${authorizationQuery('spa-two', challenge)}&${withResources({}, [REPORTS, BILLING])}`
      const code = expectClientRedirect(await authorize(app(), query, cookie),
        { code: expect.any(String), state: 'state-123' }).get('code') as string
      const exchange = exchangeFields('spa-two', code, verifier)
      expectRefusal(await post(app(), '/oauth/token', exchange, []), {
        error: 'invalid_target', error_description: 'The authorization named several resources: name one of them with resource'
      })
      expectRefusal(await post(app(), '/oauth/token', exchange, [REPORTS, BILLING]), ONE_PER_TOKEN)
      expectRefusal(await post(app(), '/oauth/token', exchange, [ARCHIVE]), NOT_NAMED)
      const tokens = await post(app(), '/oauth/token', exchange, [BILLING])
      expect(audOf(tokens)).toBe(BILLING)
      const refreshed = await refresh('spa-two', tokens.json().refresh_token as string, [REPORTS])
      expect(refreshed.statusCode).toBe(200)
      expect(audOf(refreshed)).toBe(REPORTS)
      expectRefusal(await refresh('spa-two', refreshed.json().refresh_token as string, [ARCHIVE]), NOT_NAMED)
    })

    it('nothing named at /authorize: the token request may name any registered resource, no other', async () => {
      await spa('spa-none')
      const first = await codeFor(app(), 'spa-none', 'Jane', Date.now())
      const exchange = exchangeFields('spa-none', first.code, first.verifier)
      expectRefusal(await post(app(), '/oauth/token', exchange, ['https://elsewhere.example/']), NOT_REGISTERED)
      const tokens = await post(app(), '/oauth/token', exchange, [ARCHIVE])
      expect(audOf(tokens)).toBe(ARCHIVE)
      // The family named nothing: today's aud, unless a refresh names a registered resource.
      expect(audOf(await refresh('spa-none', tokens.json().refresh_token as string, []))).toBe(AUDIENCE)
      const second = await codeFor(app(), 'spa-none', 'Jane', Date.now())
      expect(audOf(await tokenRequest(app(), exchangeFields('spa-none', second.code, second.verifier)))).toBe(AUDIENCE)
    })

    it('PAR: a pushed resource narrows aud; an unregistered one is 400 invalid_target', async () => {
      await spa('spa-par')
      const { challenge, verifier } = pkce()
      const fields = Object.fromEntries(new URLSearchParams(authorizationQuery('spa-par', challenge)))
      expectRefusal(await post(app(), PAR_PATH, fields, [REPORTS, 'https://elsewhere.example/']), {
        error: 'invalid_target', error_description: 'A resource is not one this client may ask tokens for'
      })
      const pushed = await post(app(), PAR_PATH, fields, [ARCHIVE])
      expect(pushed.statusCode).toBe(201)
      const cookie = await sessionCookie(app(), 'Jane', Date.now())
      const query = new URLSearchParams({ client_id: 'spa-par', request_uri: pushed.json().request_uri }).toString()
      const code = expectClientRedirect(await authorize(app(), query, cookie),
        { code: expect.any(String), state: 'state-123' }).get('code') as string
      const exchange = exchangeFields('spa-par', code, verifier)
      expectRefusal(await post(app(), '/oauth/token', exchange, [REPORTS]), NOT_NAMED)
      expect(audOf(await post(app(), '/oauth/token', exchange, []))).toBe(ARCHIVE)
    })
  })
})
