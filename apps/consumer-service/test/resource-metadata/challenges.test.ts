import { describe, expect, it } from 'vitest'
import { bearer, buildTestApp, fakeIssuer } from '../helper.js'

const PATH = '/.well-known/oauth-protected-resource'
const ALGS = 'algs="ES256 EdDSA RS256 PS256"'
const metadataAt = (origin: string) => `resource_metadata="${origin}${PATH}"`
const bare = (origin: string) =>
  [`Bearer realm="consumer-service", ${metadataAt(origin)}`, `DPoP ${ALGS}, ${metadataAt(origin)}`]

/*
 * Every challenge names where the resource metadata is (RFC 9728 §5.1). The refusal tests check the
 * exact challenges of each refusal at inject's default Host; these check where the URL comes from.
 */
describe('resource_metadata in the challenges', () => {
  it('is PUBLIC_URL\'s, whatever Host the request came with, in 401, 400 and 403 challenges', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { PUBLIC_URL: 'https://api.example.com' })
    const metadata = metadataAt('https://api.example.com')
    const call = (headers: Record<string, string>, url = '/api/v1/reports') =>
      app.inject({ url, headers: { host: 'consumer.internal:3000', ...headers } })
    expect((await call({})).headers['www-authenticate']).toEqual(bare('https://api.example.com'))
    const malformed = await call({ authorization: 'Bearer' })
    expect(malformed.headers['www-authenticate']).toBe('Bearer realm="consumer-service", ' +
      'error="invalid_request", error_description="The Authorization header must be: Bearer <token>", ' + metadata)
    const readOnly = issuer.token(issuer.keys.RS256, { claims: { scope: 'reports:read' } })
    const denied = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { ...bearer(readOnly), host: 'consumer.internal:3000' },
      payload: { title: 'x' }
    })
    expect([denied.statusCode, denied.headers['www-authenticate']]).toEqual([403, 'Bearer realm="consumer-service", ' +
      'error="insufficient_scope", error_description="The access token lacks the required scope", ' +
      `scope="reports:write", ${metadata}`])
  })

  it('without PUBLIC_URL, is the request\'s scheme and Host, whose document names that origin', async () => {
    const app = await buildTestApp(await fakeIssuer())
    const response = await app.inject({ url: '/api/v1/reports', headers: { host: 'consumer.localhost:3000' } })
    expect(response.headers['www-authenticate']).toEqual(bare('http://consumer.localhost:3000'))
    // The client follows it (here by path, as inject has no network) and finds the same origin as the resource.
    const document = await app.inject({ url: PATH, headers: { host: 'consumer.localhost:3000' } })
    expect(document.json()).toMatchObject({ resource: 'http://consumer.localhost:3000' })
  })

  it('behind a trusted proxy (TRUST_PROXY), is the origin the proxy was called at; else the Host', async () => {
    const forwarded = { host: 'consumer:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }
    const trusting = await buildTestApp(await fakeIssuer(), { TRUST_PROXY: 'loopback' })
    expect((await trusting.inject({ url: '/api/v1/reports', headers: forwarded })).headers['www-authenticate'])
      .toEqual(bare('https://api.example.com'))
    const untrusting = await buildTestApp(await fakeIssuer())
    expect((await untrusting.inject({ url: '/api/v1/reports', headers: forwarded })).headers['www-authenticate'])
      .toEqual(bare('http://consumer:3000'))
  })

  it.each([
    ['a quote', 'a"b.example'],
    ['a path', 'consumer.example/evil'],
    ['credentials', 'user@consumer.example']
  ])('is left out when the Host has %s: the challenges stay, naming no URL not called', async (_case, host) => {
    const app = await buildTestApp(await fakeIssuer())
    const response = await app.inject({ url: '/api/v1/reports', headers: { host, authorization: 'Bearer abc' } })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate'])
      .toBe('Bearer realm="consumer-service", error="invalid_token", error_description="The access token is invalid"')
    const none = await app.inject({ url: '/api/v1/reports', headers: { host } })
    expect(none.headers['www-authenticate']).toEqual(['Bearer realm="consumer-service"', `DPoP ${ALGS}`])
  })
})
