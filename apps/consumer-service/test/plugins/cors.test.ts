import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { routesIn } from '@repo/service-harness/openapi'
import { RESOURCE_METADATA, bearer, suiteApp } from '../helper.js'

const APP_ORIGIN = 'http://localhost:8080'
const OTHER_ALLOWED = 'https://reports.example.com'

/** Every CORS response header of an answer, and its Vary: what each case compares exactly. */
function cors (response: LightMyRequestResponse) {
  const entries = Object.entries(response.headers).filter(([name]) => name.startsWith('access-control-'))
  return { vary: response.headers.vary, ...Object.fromEntries(entries) }
}

const preflight = (origin: string | undefined, method = 'POST', headers = 'authorization,content-type') => ({
  method: 'OPTIONS' as const,
  url: '/api/v1/reports',
  headers: {
    ...(origin === undefined ? {} : { origin }),
    'access-control-request-method': method,
    'access-control-request-headers': headers
  }
})

/** What an allowed origin's actual request carries: its origin echoed, the readable headers, nothing else. */
const ACTUAL = {
  vary: 'Origin',
  'access-control-allow-origin': APP_ORIGIN,
  'access-control-expose-headers': 'WWW-Authenticate, Retry-After'
}
const PREFLIGHT = {
  ...ACTUAL,
  'access-control-allow-methods': 'GET, POST',
  'access-control-allow-headers': 'authorization, content-type, dpop',
  'access-control-max-age': '7200'
}
const NOT_FOUND = {
  statusCode: 404, code: 'not_found', error: 'Not Found', message: 'Route OPTIONS /api/v1/reports not found'
}

describe('CORS with CORS_ORIGINS set', () => {
  const suite = suiteApp({ CORS_ORIGINS: `${APP_ORIGIN},${OTHER_ALLOWED}` })

  it('answers an allowed origin\'s preflight 204 with its lists and max-age, before authentication', async () => {
    const response = await suite.app().inject(preflight(APP_ORIGIN))
    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    expect(cors(response)).toEqual(PREFLIGHT)
  })

  it('echoes each listed origin, not the first one', async () => {
    const response = await suite.app().inject(preflight(OTHER_ALLOWED))
    expect(response.statusCode).toBe(204)
    expect(cors(response)).toEqual({ ...PREFLIGHT, 'access-control-allow-origin': OTHER_ALLOWED })
  })

  it.each([
    ['a method not allowed', 'DELETE', 'authorization'],
    ['a header not allowed', 'POST', 'authorization,x-debug']
  ])('answers a preflight asking for %s with the allowed lists: the browser refuses it', async (_, method, headers) => {
    const response = await suite.app().inject(preflight(APP_ORIGIN, method, headers))
    expect(response.statusCode).toBe(204)
    expect(cors(response)).toEqual(PREFLIGHT)
  })

  it('answers an allowed origin\'s OPTIONS without Access-Control-Request-Method the same, not 400', async () => {
    const options = { method: 'OPTIONS', url: '/api/v1/reports', headers: { origin: APP_ORIGIN } } as const
    const response = await suite.app().inject(options)
    expect(response.statusCode).toBe(204)
    expect(cors(response)).toEqual(PREFLIGHT)
  })

  it('lets the allowed origin read a list of reports', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const headers = { origin: APP_ORIGIN, ...bearer(issuer.token()) }
    const response = await app.inject({ url: '/api/v1/reports', headers })
    expect(response.statusCode).toBe(200)
    expect(cors(response)).toEqual(ACTUAL)
  })

  it('lets the allowed origin read a 401 and its challenge', async () => {
    const response = await suite.app().inject({ url: '/api/v1/reports', headers: { origin: APP_ORIGIN } })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toEqual([`Bearer realm="consumer-service", ${RESOURCE_METADATA}`, `DPoP algs="ES256 EdDSA RS256 PS256", ${RESOURCE_METADATA}`])
    expect(cors(response)).toEqual(ACTUAL)
  })

  it('lets the allowed origin read a 403 insufficient_scope on a POST', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const john = issuer.token(issuer.keys.RS256, { claims: { scope: 'reports:read' } })
    const response = await app.inject({
      method: 'POST', url: '/api/v1/reports', headers: { origin: APP_ORIGIN, ...bearer(john) }, payload: { title: 'x' }
    })
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'insufficient_scope' })
    expect(cors(response)).toEqual(ACTUAL)
  })

  it.each([
    ['another site', 'https://evil.example'],
    ['an opaque origin', 'null'],
    ['a wildcard', '*'],
    ['the listed origin over https', 'https://localhost:8080'],
    ['the listed origin on another port', 'http://localhost:8081'],
    ['the listed origin without its port', 'http://localhost'],
    ['the listed origin with a trailing slash', 'http://localhost:8080/'],
    ['the listed origin in capitals', 'HTTP://LOCALHOST:8080'],
    ['the listed origin as a prefix', 'http://localhost:8080.evil.example']
  ])('gives %s no CORS header: its preflight is the 404 of any unknown route', async (_case, origin) => {
    const app = suite.app()
    const refused = await app.inject(preflight(origin))
    expect(refused.statusCode).toBe(404)
    expect(refused.json()).toEqual(NOT_FOUND)
    expect(cors(refused)).toEqual({ vary: 'Origin' })

    // Its actual request is answered as ever; the browser keeps the answer from the page.
    const actual = await app.inject({ url: '/api/v1/reports', headers: { origin, ...bearer(suite.issuer().token()) } })
    expect(actual.statusCode).toBe(200)
    expect(cors(actual)).toEqual({ vary: 'Origin' })
  })

  it('keeps the preflight route out of the API docs', async () => {
    const doc = (await suite.app().inject('/docs/json')).json<{ paths: Record<string, Record<string, unknown>> }>()
    expect(Object.values(doc.paths).flatMap((operations) => Object.keys(operations))).not.toContain('options')
    expect(Object.keys(doc.paths)).not.toContain('*')
  })

  it('answers a request without Origin as before, with Vary: Origin for caches', async () => {
    const app = suite.app()
    const options = await app.inject(preflight(undefined))
    expect(options.statusCode).toBe(404)
    expect(cors(options)).toEqual({ vary: 'Origin' })
    const get = await app.inject({ url: '/api/v1/reports', headers: bearer(suite.issuer().token()) })
    expect(get.statusCode).toBe(200)
    expect(cors(get)).toEqual({ vary: 'Origin' })
  })
})

describe('CORS with CORS_ORIGINS unset', () => {
  const suite = suiteApp()

  it('adds no header and routes no OPTIONS but the public metadata\'s, whatever the origin', async () => {
    const app = suite.app()
    const options = await app.inject(preflight(APP_ORIGIN))
    expect(options.statusCode).toBe(404)
    expect(options.json()).toEqual(NOT_FOUND)
    expect(cors(options)).toEqual({ vary: undefined })
    const headers = { origin: APP_ORIGIN, ...bearer(suite.issuer().token()) }
    const get = await app.inject({ url: '/api/v1/reports', headers })
    expect(get.statusCode).toBe(200)
    expect(cors(get)).toEqual({ vary: undefined })
    // The public metadata answers its own preflights (resource-metadata/metadata-route.test.ts).
    const routes = routesIn(app.printRoutes({ commonPrefix: false }))
    expect(routes.filter(({ method }) => method === 'OPTIONS')).toEqual([{ method: 'OPTIONS', url: '/.well-known/oauth-protected-resource' }])
  })
})
