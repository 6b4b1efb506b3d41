import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { bearer, buildTestApp, fakeIssuer, keysLoaded, makeKey, manualClock } from '../helper.js'

const randomKid = () => randomBytes(32).toString('base64url').slice(0, 43)

describe('fetching and caching the issuer\'s key set', () => {
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

    clock.advance(30_000)
    const after = await flood()
    expect(after.every((response) => response.statusCode === 401)).toBe(true)
    expect(issuer.state.requests.jwks).toBe(2)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('accepts a key published after the last fetch once the cooldown allows a refetch', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '30s' }, { now: clock.now })
    const rotated = await makeKey('ES256')
    issuer.state.published = [...issuer.state.published, rotated.jwk]
    const request = () => app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(rotated)) })

    expect((await request()).statusCode).toBe(401)
    clock.advance(30_000)
    expect((await request()).statusCode).toBe(200)
    expect((await request()).statusCode).toBe(200)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('learns keys published before they sign on its next refresh, so rotation needs no miss', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, {}, { now: clock.now })
    const next = await makeKey('RS256')
    issuer.state.published = [...issuer.state.published, next.jwk]
    clock.advance(300_000)
    await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(issuer.state.requests.jwks).toBe(2)

    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(next)) })
    expect(response.statusCode).toBe(200)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it.each([
    ['public, max-age=60', 60_000],
    ['max-age=0', 30_000],
    ['no-store', 30_000],
    ['public, max-age=999999', 300_000],
    ['', 300_000]
  ])('keeps the set for as long as Cache-Control %j allows, within [cooldown, TTL]', async (cacheControl, ttlMs) => {
    const issuer = await fakeIssuer()
    issuer.state.cacheControl = cacheControl
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '30s', JWKS_CACHE_TTL: '300s' }, { now: clock.now })
    const request = () => app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })

    clock.advance(ttlMs - 1)
    expect((await request()).statusCode).toBe(200)
    expect(issuer.state.requests.jwks).toBe(1)
    clock.advance(1)
    expect((await request()).statusCode).toBe(200)
    expect(issuer.state.requests.jwks).toBe(2)
  })

  it('stops accepting a kid as soon as a refresh shows it is gone', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, {}, { now: clock.now })
    const token = issuer.token(issuer.keys.RS256)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(200)

    issuer.state.published = [issuer.keys.ES256.jwk, issuer.keys.EdDSA.jwk]
    clock.advance(300_000)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(401)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.ES256)) })).statusCode).toBe(200)
  })

  it('shares one fetch between concurrent requests when the set has expired', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, {}, { now: clock.now })
    clock.advance(300_000)
    const responses = await Promise.all(Array.from({ length: 50 }, () =>
      app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.EdDSA)) })))
    expect(responses.every((response) => response.statusCode === 200)).toBe(true)
    expect(issuer.state.requests.jwks).toBe(2)
  })
})

describe('discovery', () => {
  it('finds the JWKS through the issuer\'s OpenID configuration when JWKS_URL is not set', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { JWKS_URL: undefined })
    expect(issuer.state.requests).toMatchObject({ discovery: 1, jwks: 1 })
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)
  })

  it('refuses a discovery document that names another issuer', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ issuer: 'http://evil.example', jwks_uri: `${issuer.origin}/.well-known/jwks.json` }))
    }
    const app = await buildTestApp(issuer, { JWKS_URL: undefined }, { waitForKeys: false })
    await vi.waitUntil(() => issuer.state.requests.discovery >= 1)
    expect(issuer.state.requests.jwks).toBe(0)
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(response.statusCode).toBe(503)
    expect((await app.inject('/health/ready')).statusCode).toBe(503)
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
})
