import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { freePort, startService, tempDir, type ServiceProcess } from '@repo/service-harness/service-process'
import { QUIET, timeToReady } from './run.js'

/**
 * A consumer trusting the bench's own issuer, started and measured for readiness; stopped after
 * `work`. Its JWKS requests are counted by the issuer.
 */
export async function withConsumer (issuer: FakeIssuer, env: Record<string, string>, work: (consumer: ServiceProcess, readyMs: number) => Promise<void>) {
  const dir = await tempDir('bench-consumer-')
  const startedAt = performance.now()
  const consumer = startService('consumer-service', await freePort(), { ...QUIET, ISSUER: issuer.origin, DATA_DIR: dir.path, ...env })
  try {
    const readyMs = await timeToReady(consumer, startedAt)
    await work(consumer, readyMs)
  } finally {
    await consumer.stop()
    await dir.remove()
  }
}
