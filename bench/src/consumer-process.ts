import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { QUIET, timeToReady } from './run.js'

export interface RunningConsumer {
  consumer: ServiceProcess
  readyMs: number
  stop: () => Promise<void>
}

/**
 * A consumer trusting the bench's own issuer, started and measured for readiness. Its JWKS
 * requests are counted by the issuer. The caller stops it.
 */
export async function startConsumer (issuer: FakeIssuer, env: Record<string, string>): Promise<RunningConsumer> {
  const dir = await tempDir('bench-consumer-')
  const startedAt = performance.now()
  const consumer = startService('consumer-service', await freePort(), {
    ...QUIET,
    ISSUER: issuer.origin,
    DATA_DIR: dir.path,
    ...env
  })
  const stop = async () => {
    await consumer.stop()
    await dir.remove()
  }
  try {
    return { consumer, readyMs: await timeToReady(consumer, startedAt), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** A consumer as above, stopped after `work`. */
export async function withConsumer (
  issuer: FakeIssuer,
  env: Record<string, string>,
  work: (consumer: ServiceProcess, readyMs: number) => Promise<void>
) {
  const { consumer, readyMs, stop } = await startConsumer(issuer, env)
  try {
    await work(consumer, readyMs)
  } finally {
    await stop()
  }
}
