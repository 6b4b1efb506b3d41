import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { freePort } from '@repo/service-harness/free-port'
import { slowClient } from '@repo/service-harness/slow-client'
import { buildTestApp, testConfig } from './helper.js'

/** The bound is REQUEST_TIMEOUT (1 s here) plus one check interval; before the fix it was 67 s, or never. */
const CUT_WITHIN_MS = 10_000

const LOGIN_HEAD = 'POST /api/v1/auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'

describe('REQUEST_TIMEOUT on a listening auth service', () => {
  it.each([
    // The outside probe's request: 100 bytes announced, 10 sent, then one byte now and then.
    ['a login whose body never finishes', 'api', `${LOGIN_HEAD}Content-Length: 100\r\n\r\n{"userName`],
    ['a login whose headers never finish', 'api', `${LOGIN_HEAD}X-Slow: `],
    ['a scrape whose headers never finish, on METRICS_PORT', 'metrics', 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ']
  ])('answers 408 and closes %s', async (_case, listener, start) => {
    const metricsPort = await freePort()
    const app = await buildTestApp({ REQUEST_TIMEOUT: '1s', METRICS_PORT: String(metricsPort) })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = listener === 'api' ? (app.server.address() as AddressInfo).port : metricsPort
    const client = await slowClient({ port, start, trickle: 'a' })
    onTestFinished(client.stop)
    await vi.waitUntil(() => client.closed, { timeout: CUT_WITHIN_MS, interval: 50 })
    expect(client.status).toBe(408)
  }, 2 * CUT_WITHIN_MS)

  it('is 10 s unless set, in the duration syntax, from 1 s to 5 min', () => {
    expect(testConfig().requestTimeoutMs).toBe(10_000)
    expect(testConfig({ REQUEST_TIMEOUT: '1500ms' }).requestTimeoutMs).toBe(1500)
    expect(() => testConfig({ REQUEST_TIMEOUT: '10m' })).toThrow('invalid configuration: REQUEST_TIMEOUT must be 1s to 5m, got "10m"')
  })
})
