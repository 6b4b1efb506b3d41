import type { ServerResponse } from 'node:http'
import { describe, expect, it, vi } from 'vitest'
import { bearer, buildTestApp, captureLogs, fakeIssuer, keysLoaded, manualClock } from '../helper.js'

const TTL = 300_000

describe('when the issuer\'s JWKS is unreachable', () => {
  it('keeps accepting known keys for JWKS_MAX_STALE, then answers 503', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { JWKS_MAX_STALE: '3600s' }, { now: clock.now, logger })
    await issuer.close()

    clock.advance(TTL)
    const stale = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(stale.statusCode).toBe(200)
    // It did try to refresh the expired set, and said so once.
    expect(lines.filter((line) => line.includes('JWKS fetch failed; keeping the keys already known'))).toHaveLength(1)

    clock.advance(3600_000 - TTL)
    const tooStale = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(tooStale.statusCode).toBe(503)
    expect(tooStale.headers['retry-after']).toMatch(/^\d+$/)
    expect(tooStale.json()).toMatchObject({ code: 'temporarily_unavailable' })
  })

  it('answers an unknown kid with 503 and Retry-After, not 401, while it cannot check', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '30s' }, { now: clock.now })
    await issuer.close()
    clock.advance(30_000)
    const attacker = await fakeIssuer()
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(attacker.token(attacker.keys.RS256, { claims: { iss: issuer.origin } })) })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('30')
  })

  it('times out a JWKS request that never answers, and serves known keys meanwhile', async () => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const app = await buildTestApp(issuer, { JWKS_FETCH_TIMEOUT: '300ms' }, { now: clock.now })
    issuer.state.override = () => {} // accept the connection, never answer
    clock.advance(TTL)
    const started = performance.now()
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(response.statusCode).toBe(200)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it('times out a JWKS body that trickles in too slowly', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => response.write(' '), 100)
      response.on('close', () => clearInterval(timer))
    }
    const app = await buildTestApp(issuer, { JWKS_FETCH_TIMEOUT: '400ms' }, { waitForKeys: false })
    const started = performance.now()
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(response.statusCode).toBe(503)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it.each<[string, (response: ServerResponse) => void, RegExp]>([
    ['an HTML error page', (r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>'), /not JSON/],
    ['HTTP 500', (r) => r.writeHead(500, { 'content-type': 'application/json' }).end('{}'), /HTTP 500/],
    ['invalid JSON', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": ['), /not valid JSON/],
    ['a JSON string', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('"keys"'), /not a JSON object/],
    ['keys that is not an array', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":{}}'), /not a JSON object/],
    ['a thousand keys', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: Array(1000).fill({}) })), /at most 100/],
    ['a 1 MiB body', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end(`{"keys":[],"pad":"${'x'.repeat(1024 * 1024)}"}`), /failed/],
    ['a 1 MiB body without Content-Length', (r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
      for (let i = 0; i < 64; i++) r.write('x'.repeat(16 * 1024))
      r.end()
    }, /failed/]
  ])('survives %s: keeps known keys and logs why', async (_case, answer, reason) => {
    const issuer = await fakeIssuer()
    const clock = manualClock()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, {}, { now: clock.now, logger })
    issuer.state.override = (request, response) => answer(response)
    clock.advance(TTL)

    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token(issuer.keys.ES256)) })
    expect(response.statusCode).toBe(200)
    await vi.waitUntil(() => lines.some((line) => line.includes('JWKS fetch failed')))
    const failure = JSON.parse(lines.find((line) => line.includes('JWKS fetch failed')) as string)
    expect(failure.reason).toMatch(reason)
    expect(failure.level).toBe(40)
  })

  it('recovers when the issuer comes back', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (request, response) => { response.writeHead(503).end() }
    const app = await buildTestApp(issuer, { JWKS_COOLDOWN: '1s' }, { waitForKeys: false })
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(503)
    issuer.state.override = undefined
    await keysLoaded(app)
    expect((await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })).statusCode).toBe(200)
  })
})
