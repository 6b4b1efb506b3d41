import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultMode } from '../src/fault-proxy.js'
import { call, tokenFor } from '../src/http.js'
import { runLoad } from '../src/load.js'
import { startPair, type Pair } from '../src/pair.js'
import { freePort, startService, tempDir } from '@repo/service-harness/service-process'

/** The consumer keeps keys 1 s, so every fault below hits a real refresh. */
const FAST_CONSUMER = { JWKS_CACHE_TTL_SECONDS: '1', JWKS_COOLDOWN_SECONDS: '1', JWKS_FETCH_TIMEOUT_MS: '300' }

describe('auth-service faults, seen from the consumer', () => {
  let pair: Pair | undefined
  let closeProxy: (() => Promise<void>) | undefined
  afterEach(async () => {
    await pair?.stop()
    await closeProxy?.()
    pair = undefined
    closeProxy = undefined
  })

  it('keeps accepting known tokens when the auth service is killed mid-load', async () => {
    pair = await startPair({ JWKS_MAX_AGE_SECONDS: '1', KEY_PREPUBLISH_SECONDS: '2' }, FAST_CONSUMER)
    const token = await tokenFor(pair.auth.url, 'Jane', 'pass123')
    const stop = new AbortController()
    const load = runLoad(`${pair.consumer.url}/api/v1/protected`, () => token, 8, stop.signal)
    await sleep(1000)
    await pair.auth.stop(0) // SIGTERM then SIGKILL at once
    await sleep(3000)
    stop.abort()
    const result = await load
    console.log(`auth killed mid-load: ${result.total} requests, ${result.non2xx} non-2xx`)
    expect(result.non2xx).toBe(0)
    expect(result.total).toBeGreaterThan(100)
    expect(pair.consumer.output()).toContain('JWKS fetch failed; keeping the keys already known')

    await pair.restartAuth()
    expect((await call(`${pair.consumer.url}/api/v1/protected`, token)).status).toBe(200)
  })

  it.each<[FaultMode, RegExp]>([
    ['slow', /UND_ERR_HEADERS_TIMEOUT|aborted|timeout/i],
    ['html', /HTTP 502/],
    ['garbage', /not valid JSON/],
    ['huge', /UND_ERR_RES_EXCEEDED_MAX_SIZE|failed/]
  ])('survives a JWKS that is %s: known keys keep working, one clear log line', async (mode, reason) => {
    const authPair = await startPair({ JWKS_MAX_AGE_SECONDS: '1', KEY_PREPUBLISH_SECONDS: '2' })
    await authPair.consumer.stop()
    const proxy = await startFaultProxy(authPair.issuer)
    closeProxy = proxy.close
    // A second consumer reads the JWKS through the proxy; the issuer it trusts stays the real one.
    const dir = await tempDir('fault-consumer-')
    const consumer = startService('consumer-service', await freePort(), {
      ISSUER: authPair.issuer, JWKS_URL: `${proxy.url}/.well-known/jwks.json`, DATA_DIR: dir.path, ...FAST_CONSUMER
    })
    pair = { ...authPair, consumer, stop: async () => { await consumer.stop(); await authPair.stop(); await dir.remove() } }
    await consumer.waitUntilReady()
    const token = await tokenFor(authPair.auth.url, 'John', 'testpass')
    expect((await call(`${consumer.url}/api/v1/protected`, token)).status).toBe(200)

    proxy.state.mode = mode
    await sleep(1200)
    const started = performance.now()
    const response = await call(`${consumer.url}/api/v1/protected`, token)
    expect(response.status).toBe(200)
    expect(performance.now() - started).toBeLessThan(1500)
    await expect.poll(() => consumer.output(), { timeout: 3000 }).toContain('JWKS fetch failed')
    const failure = consumer.output().split('\n').find((line) => line.includes('JWKS fetch failed')) as string
    expect(JSON.parse(failure).reason).toMatch(reason)
    expect(consumer.exited()).toBe(false)

    proxy.state.mode = 'pass'
    await sleep(1200)
    expect((await call(`${consumer.url}/api/v1/protected`, token)).status).toBe(200)
  })
})
