import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { slowClient } from '@repo/service-harness/slow-client'
import { createTestTls, type TestTls } from '@repo/service-harness/tls'
import { EnvReader } from '../src/env.js'
import { REQUEST_TIMEOUT_SETTING, checkIntervalMs, serverOptions } from '../src/server-options.js'
import { readSettings } from '../src/settings.js'
import { TLS_SETTING } from '../src/tls.js'

const HEAD = 'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
/** The probe's request: a body announced as 100 bytes, 10 sent, then one more now and then. */
const UNFINISHED_BODY = `${HEAD}Content-Length: 100\r\n\r\n{"a":"1234`
const UNFINISHED_HEADERS = `${HEAD}X-Slow: `
/** Generous: the bound is 1 s plus one check interval (250 ms); Node's defaults took 67 s or never. */
const CUT_WITHIN_MS = 10_000

describe.each(['http', 'https'] as const)('a listener with REQUEST_TIMEOUT=1s over %s', (scheme) => {
  let app: FastifyInstance
  let port: number
  let tls: TestTls | undefined

  beforeAll(async () => {
    tls = scheme === 'https' ? await createTestTls() : undefined
    const env = new EnvReader({ REQUEST_TIMEOUT: '1s', ...tls?.serverEnv })
    const options = readSettings(env, { tls: TLS_SETTING, requestTimeoutMs: REQUEST_TIMEOUT_SETTING })
    env.finish()
    app = Fastify({ logger: false, ...serverOptions(options) })
    app.post('/echo', async (request) => request.body)
    await app.listen({ port: 0, host: '127.0.0.1' })
    port = (app.server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await app?.close()
    await tls?.remove()
  })

  it.each([
    ['a body that never finishes', UNFINISHED_BODY],
    ['headers that never finish', UNFINISHED_HEADERS],
    ['a connection that sends nothing', '']
  ])('answers 408 and closes %s', async (_case, start) => {
    const client = await slowClient({ port, ca: tls?.ca, start, trickle: start === '' ? '' : 'a' })
    onTestFinished(client.stop)
    await vi.waitUntil(() => client.closed, { timeout: CUT_WITHIN_MS, interval: 50 })
    expect(client.status).toBe(408)
  }, 2 * CUT_WITHIN_MS)

  it('still answers a request that arrives in time', async () => {
    const client = await slowClient({ port, ca: tls?.ca, start: `${HEAD}Content-Length: 2\r\nConnection: close\r\n\r\n{}`, trickle: '' })
    onTestFinished(client.stop)
    await vi.waitUntil(() => client.closed, { timeout: CUT_WITHIN_MS, interval: 50 })
    expect(client.status).toBe(200)
  }, 2 * CUT_WITHIN_MS)
})

describe('serverOptions', () => {
  it('gives Node all three limits at creation, for HTTP and for HTTPS', () => {
    const timeouts = { requestTimeout: 10_000, headersTimeout: 10_000, connectionsCheckingInterval: 1000 }
    const tls = { cert: Buffer.from('c'), key: Buffer.from('k') }
    expect(serverOptions({ requestTimeoutMs: 10_000 })).toEqual({ requestTimeout: 10_000, http: timeouts })
    expect(serverOptions({ tls, requestTimeoutMs: 10_000 })).toEqual({ requestTimeout: 10_000, https: { ...tls, ...timeouts } })
  })

  it('checks at least four times per limit, and at least once a second', () => {
    expect(checkIntervalMs(1000)).toBe(250)
    expect(checkIntervalMs(300_000)).toBe(1000)
  })
})
