import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { bearer, buildTestApp, captureLogs, fakeIssuer, keysLoaded, makeKey, manualClock } from '../helper.js'

const randomKid = () => randomBytes(32).toString('base64url').slice(0, 43)
const COOLDOWN = 30_000
const TTL = 300_000

describe('fetching and caching an issuer\'s key set through get-jwks', () => {
  it('costs at most one JWKS fetch per cooldown window, however many unknown kids arrive', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '30s' }, { now: clock.now })
    expect(issuer.state.requests.jwks).toBe(1)

    const flood = () => Promise.all(Array.from({ length: 200 }, () =>
      app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.RS256, { header: { kid: randomKid() } })) })))

    const within = await flood()
    expect(within.every((response) => response.statusCode === 401)).toBe(true)
    expect(issuer.state.requests.jwks).toBe(1)

    await clock.advance(COOLDOWN)
    const after = await flood()
    expect(after.every((response) => response.statusCode === 401)).toBe(true)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('accepts a key published during a flood of unknown kids within one cooldown window', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '30s' }, { now: clock.now })
    const published = await makeKey('ES256')
    issuer.state.published = [...issuer.state.published, published.jwk]

    // The flood wins the window's one fetch, with a kid of its own: that fetch must teach every key.
    await clock.advance(COOLDOWN)
    const flood = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.RS256, { header: { kid: randomKid() } })) })
    expect(flood.statusCode).toBe(401)
    expect(issuer.state.requests.jwks).toBe(2)
    const legit = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(published)) })
    expect(legit.statusCode).toBe(200)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('keeps known keys working under the flood, as their cache entries expire and are renewed', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '30s', JWKS_CACHE_TTL: '60s' }, { now: clock.now })
    for (let window = 0; window < 5; window++) {
      await clock.advance(COOLDOWN)
      const flood = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.RS256, { header: { kid: randomKid() } })) })
      expect(flood.statusCode).toBe(401)
      const known = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.EdDSA)) })
      expect(known.statusCode).toBe(200)
    }
    expect(issuer.state.requests.jwks).toBe(6)
  })

  it('uses a fetched key for JWKS_CACHE_TTL, then fetches the set again', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_CACHE_TTL: '5m' }, { now: clock.now })
    const request = () => app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.ES256)) })

    await clock.advance(TTL)
    expect((await request()).statusCode).toBe(200)
    expect(issuer.state.requests.jwks).toBe(1)
    await clock.advance(1)
    expect((await request()).statusCode).toBe(200)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('refuses a key removed from the JWKS once its entry expires: within JWKS_CACHE_TTL of the removal', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_CACHE_TTL: '5m', JWKS_COOLDOWN: '30s' }, { now: clock.now })
    const token = issuer.token(issuer.keys.RS256)
    issuer.state.published = issuer.state.published.filter((jwk) => (jwk as { kid: string }).kid !== issuer.keys.RS256.kid)

    await clock.advance(TTL)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(200)
    await clock.advance(1)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(401)
    // And it stays refused: the refetch found it gone, so no stale copy stands in for it.
    await clock.advance(COOLDOWN)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(401)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.ES256)) })).statusCode).toBe(200)
  })

  it('shares one fetch between concurrent requests when the set has expired', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, {}, { now: clock.now })
    await clock.advance(TTL + 1)
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(i % 2 ? issuer.keys.EdDSA : issuer.keys.RS256)) })))
    expect(responses.every((response) => response.statusCode === 200)).toBe(true)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('says once which keys it ignores and why, not "unknown kid"', async () => {
    const issuer = await fakeIssuer()
    const encryption = await makeKey('RS256')
    issuer.state.published = [...issuer.state.published, { ...encryption.jwk, use: 'enc' }]
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, {}, { logger })
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(encryption)) })
    expect(response.statusCode).toBe(401)
    const ignored = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'JWKS key ignored')
    expect(ignored).toEqual([expect.objectContaining({ kid: encryption.kid, reason: 'its use is "enc", not "sig"' })])
    const rejected = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'access token rejected')
    expect(rejected.reason).toBe('TokenRejection: unusable key: the key is ignored because its use is "enc", not "sig"')
  })
})

describe('discovery', () => {
  it('finds the JWKS through the issuer\'s OpenID configuration when JWKS_URL is not set', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { JWKS_URL: undefined })
    expect(issuer.state.requests).toMatchObject({ discovery: 1, jwks: 1 })
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)
  })

  it('falls back to RFC 8414 metadata when there is no OpenID configuration', async () => {
    const issuer = await fakeIssuer()
    const seen: string[] = []
    issuer.state.override = (request, response) => {
      seen.push(request.url as string)
      if (request.url === '/.well-known/oauth-authorization-server') {
        response.writeHead(200, { 'content-type': 'application/json' })
        return response.end(JSON.stringify({ issuer: issuer.origin, jwks_uri: `${issuer.origin}/keys` }))
      }
      if (request.url === '/keys') {
        response.writeHead(200, { 'content-type': 'application/json' })
        return response.end(JSON.stringify({ keys: issuer.state.published }))
      }
      response.writeHead(404).end()
    }
    const app = await buildTestApp(issuer, { JWKS_URL: undefined })
    expect(seen).toEqual(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/keys'])
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)
  })

  it('refuses a discovery document that names another issuer', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ issuer: 'http://evil.example', jwks_uri: `${issuer.origin}/.well-known/jwks.json` }))
    }
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { JWKS_URL: undefined }, { waitForKeys: false, logger })
    await vi.waitUntil(() => lines.some((line) => line.includes('JWKS fetch failed')))
    expect(lines.find((line) => line.includes('JWKS fetch failed'))).toContain('names issuer \\"http://evil.example\\"')
    expect(issuer.state.requests.jwks).toBe(0)
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(response.statusCode).toBe(503)
    expect((await app.inject('/health/ready')).statusCode).toBe(503)
  })

  it('refuses a discovered jwks_uri that is plain http to another host', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ issuer: issuer.origin, jwks_uri: 'http://keys.example.com/jwks.json' }))
    }
    const { lines, logger } = captureLogs()
    await buildTestApp(issuer, { JWKS_URL: undefined }, { waitForKeys: false, logger })
    await vi.waitUntil(() => lines.some((line) => line.includes('JWKS fetch failed')))
    expect(lines.find((line) => line.includes('JWKS fetch failed'))).toContain('jwks_uri must be https')
  })
})

describe('readiness', () => {
  it('is ready only once the issuer\'s keys are loaded', async () => {
    const issuer = await fakeIssuer()
    const release: Array<() => void> = []
    issuer.state.override = (request, response) => { release.push(() => response.writeHead(503).end()) }
    const app = await buildTestApp(issuer, {}, { waitForKeys: false })
    expect((await app.inject('/health/ready')).json()).toEqual({ status: 'unavailable' })
    expect((await app.inject('/health/live')).statusCode).toBe(200)

    issuer.state.override = undefined
    release.forEach((fn) => fn())
    await keysLoaded(app)
    expect((await app.inject('/health/ready')).json()).toEqual({ status: 'ok' })
  })

  it('is not ready while an issuer publishes no key it can use', async () => {
    const issuer = await fakeIssuer()
    issuer.state.published = issuer.state.published.map((jwk) => ({ ...(jwk as object), use: 'enc' }))
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, {}, { waitForKeys: false, logger })
    await vi.waitUntil(() => lines.some((line) => line.includes('"msg":"JWKS fetched"')))
    expect((await app.inject('/health/ready')).statusCode).toBe(503)
  })
})
