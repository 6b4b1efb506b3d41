import type { ServerResponse } from 'node:http'
import { describe, expect, it, vi } from 'vitest'
import { bearer, buildTestApp, captureLogs, fakeIssuer, keysLoaded, manualClock } from '../helper.js'

const TTL = 300_000

describe('when the issuer\'s JWKS is unreachable', () => {
  it('keeps accepting known keys for JWKS_CACHE_TTL + JWKS_MAX_STALE after the last fetch, then answers 503', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { JWKS_CACHE_TTL: '5m', JWKS_MAX_STALE: '1h' }, { now: clock.now, logger })
    await issuer.close()

    await clock.advance(TTL + 1)
    const stale = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(stale.statusCode).toBe(200)
    // It did try to refresh the expired set, and said so once.
    expect(lines.filter((line) => line.includes('JWKS fetch failed; keeping the keys already known'))).toHaveLength(1)

    // The bound runs from the last successful fetch, however late the expiry was noticed.
    await clock.advance(3600_000 - 1)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)
    await clock.advance(1)
    const tooStale = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(tooStale.statusCode).toBe(503)
    expect(tooStale.headers['retry-after']).toMatch(/^\d+$/)
    expect(tooStale.json()).toMatchObject({ code: 'temporarily_unavailable' })
  })

  it('keeps them when it found the JWKS by discovery too: an outage takes the metadata down with the keys', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_URL: undefined }, { now: clock.now })
    await issuer.close()
    for (let attempt = 0; attempt < 3; attempt++) {
      await clock.advance(TTL + 1)
      expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)
    }
  })

  it('answers an unknown kid with 503 and Retry-After until the next fetch may run, not 401, while it cannot check', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '30s' }, { now: clock.now })
    await issuer.close()
    await clock.advance(30_000)
    const attacker = await fakeIssuer()
    const forged = () => attacker.token(attacker.keys.RS256, { claims: { iss: issuer.origin } })
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(forged()) })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('30')
    await clock.advance(10_000)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(forged()) })).headers['retry-after']).toBe('20')
  })

  it('times out a JWKS request that never answers, and serves known keys meanwhile', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { JWKS_FETCH_TIMEOUT: '300ms' }, { now: clock.now, logger })
    issuer.state.override = () => {} // accept the connection, never answer
    await clock.advance(TTL + 1)
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(response.statusCode).toBe(200)
    const failure = JSON.parse(lines.find((line) => line.includes('JWKS fetch failed')) as string)
    expect(failure.reason).toMatch(/timeout|aborted/i)
  })

  it('times out a JWKS body that trickles in too slowly', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => response.write(' '), 100)
      response.on('close', () => clearInterval(timer))
    }
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { JWKS_FETCH_TIMEOUT: '400ms' }, { waitForKeys: false, logger })
    await vi.waitUntil(() => lines.some((line) => line.includes('JWKS fetch failed')), { timeout: 3000 })
    expect(JSON.parse(lines.find((line) => line.includes('JWKS fetch failed')) as string).reason).toMatch(/timeout|aborted/i)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(503)
  })

  it.each<[string, (response: ServerResponse) => void, RegExp]>([
    ['an HTML error page', (r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>'), /JSON/],
    ['HTTP 500', (r) => r.writeHead(500, { 'content-type': 'application/json' }).end('{}'), /JWKS request failed/],
    ['invalid JSON', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": ['), /JSON/],
    ['a JSON string', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('"keys"'), /No JWKS found/],
    ['keys that is not an array', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":{}}'), /No JWKS found/],
    ['a redirect elsewhere', (r) => r.writeHead(302, { location: 'http://127.0.0.1:9/keys' }).end(), /redirect/i],
    ['a 1 MiB body', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end(`{"keys":[],"pad":"${'x'.repeat(1024 * 1024)}"}`), /max size|terminated/i],
    ['a 1 MiB body without Content-Length', (r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
      for (let i = 0; i < 64; i++) r.write('x'.repeat(16 * 1024))
      r.end()
    }, /max size|terminated/i]
  ])('survives %s: keeps known keys and logs why', async (_case, answer, reason) => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, {}, { now: clock.now, logger })
    issuer.state.override = (request, response) => answer(response)
    await clock.advance(TTL + 1)

    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.ES256)) })
    expect(response.statusCode).toBe(200)
    const failure = JSON.parse(lines.find((line) => line.includes('JWKS fetch failed')) as string)
    expect(failure.reason).toMatch(reason)
    expect(failure.level).toBe(40)
  })

  it('recovers when the issuer comes back, and says so', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (request, response) => { response.writeHead(503).end() }
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '1s' }, { waitForKeys: false, logger })
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(503)
    issuer.state.override = undefined
    await keysLoaded(app)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)
    const failed = JSON.parse(lines.find((line) => line.includes('JWKS fetch failed')) as string)
    // Before any key is known, a failure is what start-up looks like: info, not a warning.
    expect(failed).toMatchObject({ level: 30, msg: 'JWKS fetch failed; no keys known yet, retrying (expected while the issuer starts)' })
    expect(lines.some((line) => line.includes('JWKS reachable again'))).toBe(true)
  })
})
