import type { FastifyBaseLogger } from 'fastify'
import { isDatabaseUnavailable } from '@repo/service-kit/sql'
import type { KeyEvent } from './key-events.js'
import type { KeyLifecycle } from './key-lifecycle.js'
import type { KeyRing } from './key-ring.js'

export interface KeyMaintenanceOptions {
  lifecycle: KeyLifecycle
  keyRing: KeyRing
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
 * `runNow()` asks for a pass at once (a change notification from the database); passes never
 * overlap, and a request made during a pass gets one more pass after it.
 */
export function startKeyMaintenance ({ lifecycle, keyRing, intervalMs, now, log }: KeyMaintenanceOptions) {
  let running: Promise<void> | undefined
  let again = false

  async function pass () {
    const events = await lifecycle.tick(now())
    logKeyEvents(log, events)
    const changed = await keyRing.refresh()
    // Another process (a replica, the keys CLI) may have retired a key whose token half it failed to destroy.
    if (changed) await lifecycle.sweepRetired()
    log.trace({ events: events.length, changed }, 'key maintenance pass')
    if (changed) log.info({ kids: keyRing.jwks().keys.map((key) => key.kid) }, 'published keys changed')
  }

  function runNow () {
    if (running) {
      again = true
      return
    }
    running = pass()
      .catch((error: unknown) => {
        // The database away is logged once per outage (service-kit's database-outage); the pass
        // runs again when it is back.
        if (isDatabaseUnavailable(error)) log.debug({ reason: error.reason }, 'key maintenance skipped: no database')
        else log.error({ err: error }, 'key maintenance failed; retrying on the next interval')
      })
      .finally(() => {
        running = undefined
        if (again) {
          again = false
          runNow()
        }
      })
  }

  const timer = setInterval(() => { if (!running) runNow() }, intervalMs).unref()

  return {
    runNow,
    /** Waits for a pass under way, then stops. */
    async stop () {
      clearInterval(timer)
      again = false
      await running
    }
  }
}
