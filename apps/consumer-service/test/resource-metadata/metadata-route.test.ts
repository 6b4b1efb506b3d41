import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildTestApp, fakeIssuer, suiteApp, type FakeIssuer } from '../helper.js'

const PATH = '/.well-known/oauth-protected-resource'
const ALGS = ['ES256', 'EdDSA', 'RS256', 'PS256']

/** The document for `resource`, member by member in the order the service writes them. */
const documentFor = (resource: string, issuers: readonly string[], dpopRequired = false) => ({
  resource,
  authorization_servers: issuers,
  scopes_supported: ['reports:read', 'reports:write'],
  bearer_methods_supported: ['header'],
  resource_documentation: `${resource}/docs`,
  dpop_signing_alg_values_supported: ALGS,
  dpop_bound_access_tokens_required: dpopRequired
})

/** The answer's body, byte for byte, and the headers a client and a cache act on. */
function answer (response: LightMyRequestResponse) {
  const { 'content-type': type, 'cache-control': cache, 'access-control-allow-origin': cors, vary } = response.headers
  return { status: response.statusCode, body: response.body, type, cache, cors, vary }
}

const issuersOf = (...entries: Array<{ issuer: FakeIssuer, dpop?: 'allowed' | 'required' }>) => JSON.stringify(
  entries.map(({ issuer, dpop }) => ({ issuer: issuer.origin, jwks_uri: issuer.jwksUrl, ...(dpop ? { dpop } : {}) }))
)

describe('the protected resource metadata (RFC 9728) without PUBLIC_URL', () => {
  const suite = suiteApp()
  const get = (headers: Record<string, string> = {}) =>
    suite.app().inject({ url: PATH, headers: { host: 'consumer.localhost:3000', ...headers } })

  it('describes the resource at the origin called: one issuer, the routes\' scopes, DPoP allowed', async () => {
    expect(answer(await get())).toEqual({
      status: 200,
      body: JSON.stringify(documentFor('http://consumer.localhost:3000', [suite.issuer().origin])),
      type: 'application/json; charset=utf-8',
      // From the Host: the client may keep it, no shared cache may hand it to another Host's client.
      cache: 'private, max-age=300',
      cors: '*',
      vary: undefined
    })
  })

  it('answers HEAD with the same headers and no body', async () => {
    const response = await suite.app().inject({ method: 'HEAD', url: PATH, headers: { host: 'consumer.localhost' } })
    expect(answer(response)).toMatchObject({ status: 200, body: '', cache: 'private, max-age=300', cors: '*' })
  })

  it('writes the origin normalised: the default port dropped, the host in lower case', async () => {
    expect((await get({ host: 'API.Example.com:80' })).json()).toMatchObject({ resource: 'http://api.example.com' })
  })

  it.each([
    ['a quote', 'a"b.example'],
    ['a path', 'consumer.example/evil'],
    ['credentials', 'user@consumer.example'],
    ['a space', 'consumer example'],
    ['a port out of range', 'consumer.example:99999'],
    ['a comma', 'a,b.example']
  ])('answers a Host with %s 400 invalid_request: it names no origin to describe', async (_case, host) => {
    const response = await get({ host })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({
      statusCode: 400,
      code: 'invalid_request',
      error: 'Bad Request',
      message: 'The request\'s Host names no origin to describe'
    })
    expect(response.headers['access-control-allow-origin']).toBe('*')
  })

  it('ignores X-Forwarded-Proto and X-Forwarded-Host from a proxy it does not trust', async () => {
    const response = await get({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' })
    expect(response.json()).toMatchObject({ resource: 'http://consumer.localhost:3000' })
  })

  it('answers a preflight from any origin 204, for GET and HEAD with any header', async () => {
    const response = await suite.app().inject({
      method: 'OPTIONS',
      url: PATH,
      headers: {
        origin: 'https://anywhere.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-client'
      }
    })
    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    const cors = Object.entries(response.headers).filter(([name]) => name.startsWith('access-control-'))
    expect(Object.fromEntries(cors)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': '*',
      'access-control-max-age': '7200'
    })
  })
})

describe('the protected resource metadata with PUBLIC_URL', () => {
  it('names PUBLIC_URL whatever the Host, each issuer in order; DPoP not required if one allows bearer', async () => {
    const [strict, lax] = [await fakeIssuer(), await fakeIssuer()]
    const app = await buildTestApp(strict, {
      PUBLIC_URL: 'https://API.example.com:443',
      TRUSTED_ISSUERS: issuersOf({ issuer: strict, dpop: 'required' }, { issuer: lax })
    })
    expect(answer(await app.inject({ url: PATH, headers: { host: 'consumer.internal:3000' } }))).toEqual({
      status: 200,
      body: JSON.stringify(documentFor('https://api.example.com', [strict.origin, lax.origin])),
      type: 'application/json; charset=utf-8',
      // Fixed by the configuration: any cache may keep it.
      cache: 'public, max-age=300',
      cors: '*',
      vary: undefined
    })
  })

  it('says DPoP-bound tokens are required only when every trusted issuer requires them', async () => {
    const [first, second] = [await fakeIssuer(), await fakeIssuer()]
    const app = await buildTestApp(first, {
      PUBLIC_URL: 'https://api.example.com',
      TRUSTED_ISSUERS: issuersOf({ issuer: first, dpop: 'required' }, { issuer: second, dpop: 'required' })
    })
    const response = await app.inject({ url: PATH, headers: { host: 'a"b' } })
    const expected = documentFor('https://api.example.com', [first.origin, second.origin], true)
    expect(response.body).toBe(JSON.stringify(expected))
  })
})

describe('the protected resource metadata behind a trusted proxy (TRUST_PROXY)', () => {
  it('names the origin the proxy was called at', async () => {
    const app = await buildTestApp(await fakeIssuer(), { TRUST_PROXY: 'loopback' })
    const response = await app.inject({
      url: PATH, headers: { host: 'consumer:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }
    })
    expect(response.json()).toMatchObject({ resource: 'https://api.example.com' })
  })
})

describe('the protected resource metadata with CORS_ORIGINS set', () => {
  const suite = suiteApp({ CORS_ORIGINS: 'http://localhost:8080' })

  it.each(['http://localhost:8080', 'https://elsewhere.example'])(
    'is readable from %s (listed or not): `*`, and no Vary: Origin, as the answer is the same', async (origin) => {
      const response = await suite.app().inject({ url: PATH, headers: { origin } })
      expect(answer(response)).toMatchObject({ status: 200, cors: '*', vary: undefined })
      expect(response.headers['access-control-expose-headers']).toBeUndefined()
    }
  )

  it('answers its own preflights, not the API\'s', async () => {
    const response = await suite.app().inject({
      method: 'OPTIONS', url: PATH, headers: { origin: 'http://localhost:8080', 'access-control-request-method': 'GET' }
    })
    expect(response.statusCode).toBe(204)
    expect(response.headers)
      .toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD' })
  })
})
