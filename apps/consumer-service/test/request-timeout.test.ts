import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { freePort } from '@repo/service-harness/free-port'
import { slowClient } from '@repo/service-harness/slow-client'
import { buildTestApp, fakeIssuer, testConfig } from './helper.js'

/** The bound is REQUEST_TIMEOUT (1 s here) plus one check interval; before the fix it was 67 s, or never. */
const CUT_WITHIN_MS = 10_000

describe('REQUEST_TIMEOUT on a listening consumer service', () => {
  it.each([
    ['a report whose body never finishes', 'api', (token: string) =>
      `POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"title":"'],
    ['a report whose headers never finish', 'api', () => 'POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '],
    ['a scrape whose headers never finish, on METRICS_PORT', 'metrics', () => 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ']
  ])('answers 408 and closes %s', async (_case, listener, request) => {
    const issuer = await fakeIssuer()
    const metricsPort = await freePort()
    const app = await buildTestApp(issuer, { REQUEST_TIMEOUT: '1s', METRICS_PORT: String(metricsPort) })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = listener === 'api' ? (app.server.address() as AddressInfo).port : metricsPort
    const client = await slowClient({ port, start: request(issuer.token()), trickle: 'a' })
    onTestFinished(client.stop)
    await vi.waitUntil(() => client.closed, { timeout: CUT_WITHIN_MS, interval: 50 })
    expect(client.status).toBe(408)
  }, 2 * CUT_WITHIN_MS)

  it('is 10 s unless set, in the duration syntax, from 1 s to 5 min', async () => {
    const issuer = await fakeIssuer()
    expect(testConfig(issuer).requestTimeoutMs).toBe(10_000)
    expect(testConfig(issuer, { REQUEST_TIMEOUT: '2s' }).requestTimeoutMs).toBe(2000)
    expect(() => testConfig(issuer, { REQUEST_TIMEOUT: '500ms' })).toThrow('invalid configuration: REQUEST_TIMEOUT must be 1s to 5m, got "500ms"')
  })
})
