import type { FastifyBaseLogger } from 'fastify'
import type { KeyEvent, KeyLifecycle } from './key-lifecycle.js'
import type { KeyRing } from './key-ring.js'
import type { KeyStore } from './key-store.js'

export interface KeyMaintenanceOptions {
  lifecycle: KeyLifecycle
  keyRing: KeyRing
  store: KeyStore
  intervalMs: number
  now: () => number
  log: FastifyBaseLogger
}

/** One structured log line per lifecycle transition: `{ event: 'key_activated', kid, alg }`. */
export function logKeyEvents (log: FastifyBaseLogger, events: readonly KeyEvent[]): void {
  for (const event of events) log.info(event, `signing key ${event.event.replace('key_', '')}`)
}

/**
 * On a short interval: performs the lifecycle transitions that are due (one process wins each),
 * and reloads the key ring when this or another process (another replica, the keys CLI) changed
 * the keys. That is how a rotation or revocation reaches a running service without a restart.
 */
export function startKeyMaintenance ({ lifecycle, keyRing, store, intervalMs, now, log }: KeyMaintenanceOptions) {
  let seenVersion = store.dataVersion()
  let running: Promise<void> | undefined

  async function run () {
    const events = await lifecycle.tick(now())
    logKeyEvents(log, events)
    const version = store.dataVersion()
    log.trace({ events: events.length, dataVersion: version }, 'key maintenance pass')
    if (events.length > 0 || version !== seenVersion) {
      seenVersion = version
      if (await keyRing.refresh()) log.info({ kids: keyRing.jwks().keys.map((key) => key.kid) }, 'published keys changed')
    }
  }

  const timer = setInterval(() => {
    if (running) return
    running = run()
      .catch((error: unknown) => log.error({ err: error }, 'key maintenance failed; retrying on the next interval'))
      .finally(() => { running = undefined })
  }, intervalMs).unref()

  return {
    /** Waits for a pass under way, then stops. */
    async stop () {
      clearInterval(timer)
      await running
    }
  }
}
