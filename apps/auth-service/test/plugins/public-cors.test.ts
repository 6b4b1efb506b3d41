import { describe, expect, it } from 'vitest'
import { suiteApp } from '../helper.js'

const ORIGIN = 'https://app.example'
const PUBLIC_DOCUMENTS = ['/.well-known/jwks.json', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']
const CORS_HEADERS = [
  'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers',
  'access-control-allow-credentials', 'access-control-expose-headers', 'access-control-max-age'
]

const corsHeadersOf = (headers: Record<string, unknown>) => Object.keys(headers).filter((name) => name.startsWith('access-control-'))

describe('CORS', () => {
  const app = suiteApp()

  it.each(PUBLIC_DOCUMENTS)('GET and HEAD %s may be read by any origin, without credentials', async (url) => {
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await app().inject({ method, url, headers: { origin: ORIGIN } })
      expect(response.statusCode).toBe(200)
      expect(response.headers['access-control-allow-origin']).toBe('*')
      expect(response.headers['access-control-expose-headers']).toBe('ETag')
      expect(response.headers['access-control-allow-credentials']).toBeUndefined()
      expect(response.headers.vary).toBeUndefined()
    }
  })

  it('also on a 304 of the JWKS', async () => {
    const { etag } = (await app().inject('/.well-known/jwks.json')).headers
    const response = await app().inject({ url: '/.well-known/jwks.json', headers: { origin: ORIGIN, 'if-none-match': String(etag) } })
    expect(response.statusCode).toBe(304)
    expect(response.headers['access-control-allow-origin']).toBe('*')
  })

  it('answers a preflight of the JWKS', async () => {
    const response = await app().inject({
      method: 'OPTIONS',
      url: '/.well-known/jwks.json',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' }
    })
    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    expect(Object.fromEntries(CORS_HEADERS.map((name) => [name, response.headers[name]]))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': '*',
      'access-control-allow-credentials': undefined,
      'access-control-expose-headers': undefined,
      'access-control-max-age': '86400'
    })
  })

  it.each(['/api/v1/auth', '/oauth/token', '/oauth/revoke'])('POST %s has no CORS header, and no preflight answer', async (url) => {
    const post = await app().inject({ method: 'POST', url, headers: { origin: ORIGIN }, payload: {} })
    expect(post.statusCode).toBeGreaterThanOrEqual(400)
    expect(corsHeadersOf(post.headers)).toEqual([])

    const preflight = await app().inject({
      method: 'OPTIONS', url, headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }
    })
    expect(preflight.statusCode).toBe(404)
    expect(corsHeadersOf(preflight.headers)).toEqual([])
  })

  it.each(['/health/ready', '/nope'])('%s has no CORS header', async (url) => {
    const response = await app().inject({ url, headers: { origin: ORIGIN } })
    expect(corsHeadersOf(response.headers)).toEqual([])
  })
})
