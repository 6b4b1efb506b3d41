import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { craftToken, makeKey, type TestKey } from '@repo/service-harness/fake-issuer'
import { requireDockerEngine } from '@repo/service-harness/compose-stack'
import { nodePeakRssMiB, peakMemoryMiB, sustain } from '../src/container-memory.js'
import { upConsumerMemoryStack, type ConsumerMemoryStack } from '../src/consumer-memory-stack.js'

const dockerReachable = await requireDockerEngine('consumer memory test')

/** docker-compose.yml's mem_limit for the consumer. */
const MEMORY_MIB = 128
const ISSUER = 'http://issuer.localhost:3001'
const CONNECTIONS = 50
const SECONDS = 60
/**
 * Distinct tokens, sent in turn: five times the consumer's verified-token cache, so each one comes back
 * only after the cache has forgotten it and every request verifies a signature, as fresh tokens do.
 */
const POOL_SIZE = 5000

function freshTokens (key: TestKey, count: number): string[] {
  const now = Math.floor(Date.now() / 1000)
  return Array.from({ length: count }, (_, i) => craftToken({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }, {
    iss: ISSUER,
    sub: `user-${i}`,
    aud: 'consumer-service',
    iat: now,
    nbf: now,
    exp: now + 3600,
    jti: `memory-${i}`,
    client_id: 'memory-test',
    scope: 'reports:read'
  }, key.privateKey))
}

describe.skipIf(!dockerReachable)(`the consumer's image in ${MEMORY_MIB} MiB, no swap`, () => {
  let stack: ConsumerMemoryStack
  let key: TestKey

  beforeAll(async () => {
    key = await makeKey('RS256')
    stack = await upConsumerMemoryStack({ keys: [key.jwk] }, `${MEMORY_MIB}m`)
  })

  afterAll(async () => {
    await stack?.down()
  })

  it(`answers ${CONNECTIONS} connections of fresh tokens for ${SECONDS} s without being OOM-killed`, async () => {
    expect(await stack.memoryState()).toMatchObject({
      limitBytes: MEMORY_MIB * 1048576, swapLimitBytes: MEMORY_MIB * 1048576, running: true
    })
    const tokens = freshTokens(key, POOL_SIZE)
    const url = `${stack.consumerUrl}/api/v1/protected`
    // A connection the container dropped (its process killed) counts as 0.
    const statuses = await sustain(CONNECTIONS, SECONDS, async (i) => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${tokens[i % POOL_SIZE] as string}` } })
        .catch(() => undefined)
      await response?.arrayBuffer()
      return response?.status ?? 0
    })
    const state = await stack.memoryState()
    const peaks = state.running
      ? `cgroup peak ${await peakMemoryMiB(stack)} MiB (page cache included), Node peak RSS ${await nodePeakRssMiB(stack)} MiB`
      : 'container not running'
    console.log(`consumer in ${MEMORY_MIB} MiB, ${CONNECTIONS} connections × ${SECONDS} s of fresh tokens: ` +
      `${JSON.stringify(statuses)}; ${peaks}; ${JSON.stringify(state)}`)
    // The container first: a kill by its memory limit is what dropped connections would mean.
    expect(state).toMatchObject({ oomKilled: false, running: true, restarts: 0 })
    expect(Object.keys(statuses)).toEqual(['200'])
    expect(statuses[200]).toBeGreaterThan(CONNECTIONS * SECONDS)
  })
})
