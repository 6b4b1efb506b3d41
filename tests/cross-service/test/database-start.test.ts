import { randomBytes } from 'node:crypto'
import { describe, it, vi } from 'vitest'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceName } from '@repo/service-harness/service-process'

// Longer than Fastify's default plugin timeout (10 s), which used to cut the wait short.
const START_WAIT_MS = 11_000

describe('a service whose PostgreSQL never comes up', () => {
  // Both at once: each waits 11 s.
  it.concurrent.for<ServiceName>(['auth-service', 'consumer-service'])('%s waits the whole DATABASE_START_WAIT, then ends with one line naming the database and the reason', { timeout: 30_000 }, async (name, { expect, onTestFinished }) => {
    const dataDir = await tempDir('database-start-')
    onTestFinished(() => dataDir.remove())
    const dbPort = await freePort()
    const started = performance.now()
    const service = startService(name, await freePort(), {
      ISSUER: 'http://127.0.0.1:1',
      DATA_DIR: dataDir.path,
      DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${dbPort}/auth`,
      // The auth service requires one with DATABASE_URL (the consumer ignores it).
      KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url'),
      DATABASE_START_WAIT: `${START_WAIT_MS}ms`,
      DATABASE_CONNECT_TIMEOUT: '1s'
    })
    onTestFinished(() => service.kill())
    await vi.waitUntil(() => service.exited(), { timeout: START_WAIT_MS + 10_000, interval: 20 })
    // Not before the bound.
    expect(performance.now() - started).toBeGreaterThanOrEqual(START_WAIT_MS)

    const lines = service.output().trim().split('\n')
    // Its JSON log said once that it would wait; the end is one plain line, no stack, no password.
    expect(lines.filter((line) => line.includes('database not reachable yet'))).toHaveLength(1)
    expect(lines.at(-1)).toBe(`${name}: database postgres://app@127.0.0.1:${dbPort}/auth not reachable after 11 s (connect ECONNREFUSED 127.0.0.1:${dbPort})`)
    expect(lines.filter((line) => !line.startsWith('{'))).toHaveLength(1)
    expect(service.output()).not.toContain('hunter2')
  })
})
