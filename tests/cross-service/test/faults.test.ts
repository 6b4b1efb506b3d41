import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startFaultProxy, type FaultMode } from '../src/fault-proxy.js'
import { runLoad } from '../src/load.js'
import { startPair, type Pair } from '../src/pair.js'
import { call, tokenFor } from '@repo/service-harness/http'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'

/** The consumer keeps keys 1 s, so every fault below hits a real refresh. */
const FAST_CONSUMER = { JWKS_CACHE_TTL: '1s', JWKS_COOLDOWN: '1s', JWKS_FETCH_TIMEOUT: '300ms' }
const FAST_AUTH = { JWKS_MAX_AGE: '1s', KEY_PREPUBLISH: '2s' }

describe('auth-service faults, seen from the consumer', () => {
  let pair: Pair | undefined
  afterEach(async () => {
    await pair?.stop()
    pair = undefined
  })

  it('keeps accepting known tokens when the auth service is killed mid-load', async () => {
    pair = await startPair(FAST_AUTH, FAST_CONSUMER)
    const { consumer } = pair
    const token = await tokenFor(pair.auth.url, 'Jane', 'pass123')
    const stop = new AbortController()
    const load = runLoad(`${consumer.url}/api/v1/protected`, () => token, 8, stop.signal)
    await vi.waitUntil(() => load.progress.total >= 100, { timeout: 10_000, interval: 20 })
    await pair.auth.stop(0) // SIGTERM then SIGKILL at once
    // The load goes on until the consumer's cache has expired and a refetch has failed, and a while after.
    await vi.waitUntil(() => consumer.output().includes('JWKS fetch failed; keeping the keys already known'), { timeout: 10_000, interval: 50 })
    const afterFailure = load.progress.total
    await vi.waitUntil(() => load.progress.total >= afterFailure + 100, { timeout: 10_000, interval: 20 })
    stop.abort()
    const result = await load.done
    console.log(`auth killed mid-load: ${result.total} requests, ${result.non2xx} non-2xx`)
    expect(result.errors).toEqual([])
    expect(result.non2xx).toBe(0)

    await pair.restartAuth()
    expect((await call(`${consumer.url}/api/v1/protected`, token)).status).toBe(200)
  })
})

describe('a JWKS that misbehaves, seen from the consumer', () => {
  // One pair for every fault: each case ends with the consumer recovered, and reads only the log
  // lines written since it began.
  let authPair: Pair
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>
  let consumer: ServiceProcess
  let dir: Awaited<ReturnType<typeof tempDir>>
  let token: string

  beforeAll(async () => {
    authPair = await startPair(FAST_AUTH)
    await authPair.consumer.stop()
    proxy = await startFaultProxy(authPair.issuer)
    // A second consumer reads the JWKS through the proxy; the issuer it trusts stays the real one.
    dir = await tempDir('fault-consumer-')
    consumer = startService('consumer-service', await freePort(), {
      ISSUER: authPair.issuer, JWKS_URL: `${proxy.url}/.well-known/jwks.json`, DATA_DIR: dir.path, ...FAST_CONSUMER
    })
    await consumer.waitUntilReady()
    token = await tokenFor(authPair.auth.url, 'John', 'testpass')
  })

  afterAll(async () => {
    await consumer?.stop()
    await proxy?.close()
    await authPair?.stop()
    await dir?.remove()
  })

  it.each<[FaultMode, RegExp]>([
    ['slow', /UND_ERR_HEADERS_TIMEOUT|aborted|timeout/i],
    // get-jwks reads the body as JSON before it looks at the status: an HTML error page reads as bad JSON.
    ['html', /JSON/],
    ['garbage', /JSON/],
    ['huge', /UND_ERR_RES_EXCEEDED_MAX_SIZE|max size|terminated/]
  ])('survives a JWKS that is %s: known keys keep working, one clear log line', async (mode, reason) => {
    const since = consumer.output().length
    const logged = () => consumer.output().slice(since)
    const protectedCall = () => call(`${consumer.url}/api/v1/protected`, token)
    expect((await protectedCall()).status).toBe(200)

    // Calls go on while the JWKS is faulty: each is answered from the known keys, quickly, until the
    // consumer's cache has expired and its refetch has failed.
    proxy.state.mode = mode
    const slowest = { ms: 0 }
    const statuses: number[] = []
    await vi.waitUntil(async () => {
      const started = performance.now()
      statuses.push((await protectedCall()).status)
      slowest.ms = Math.max(slowest.ms, performance.now() - started)
      return logged().includes('JWKS fetch failed')
    }, { timeout: 10_000, interval: 100 })
    expect(new Set(statuses)).toEqual(new Set([200]))
    // The fetch timeout is 300 ms: no call waits much longer than that, whatever the JWKS does.
    expect(slowest.ms).toBeLessThan(1500)
    const failure = logged().split('\n').find((line) => line.includes('JWKS fetch failed')) as string
    expect(JSON.parse(failure).reason).toMatch(reason)
    expect(consumer.exited()).toBe(false)

    // Requests drive the refetch: once the JWKS answers again, the consumer says so.
    proxy.state.mode = 'pass'
    await vi.waitUntil(async () => {
      expect((await protectedCall()).status).toBe(200)
      return logged().includes('JWKS reachable again')
    }, { timeout: 10_000, interval: 100 })
  })
})
