import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { isDatabaseUnavailable } from '@repo/service-kit/sql'
import { SSF_EVENTS_ADDED } from '../db/schema.js'
import { Delivery } from '../signals/delivery.js'
import { sweepSignals } from '../signals/retention.js'
import { createSetSigner } from '../signals/set-signer.js'
import { StreamStore } from '../signals/stream-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The Shared Signals receivers' streams (routes/ssf). */
    ssfStreams: StreamStore
    /** Poll delivery of the streams' events as signed SETs, with the long polls waiting in this process. */
    ssfDelivery: Delivery
  }
}

/** A receiver may have this many streams (one per consumer instance; far above any deployment here). */
export const MAX_STREAMS_PER_CLIENT = 20
/** SSF 1.0 §8.1.4.2 `min_verification_interval`: verification requests of one stream at most this often. */
export const MIN_VERIFICATION_INTERVAL_MS = 10_000
/** How often the retention sweep runs; every replica runs it (it is idempotent). */
export const SWEEP_INTERVAL_MS = 60_000

export interface SsfTransmitterOptions {
  issuer: string
  /** SSF_BACKFILL: how far back a new stream reaches. */
  backfillMs: number
  longPollTimeoutMs: number
  recheckMs: number
  /** SSF_EVENT_RETENTION */
  retentionMs: number
  /** SSF_STREAM_INACTIVITY */
  inactivityMs: number
  /** Milliseconds since the epoch. */
  now: () => number
}

/**
 * The Shared Signals transmitter (signals/*): the streams, their delivery with SETs signed by the
 * key ring's active key, wake-ups of waiting polls and the retention sweep. The event log itself
 * (`app.signals`) comes earlier (plugins/signals.ts): whatever records events needs no key ring.
 */
export const ssfTransmitterPlugin = fp(async function ssfTransmitter (
  app: FastifyInstance, options: SsfTransmitterOptions
) {
  const { issuer, backfillMs, longPollTimeoutMs, recheckMs, retentionMs, inactivityMs, now } = options
  const streams = new StreamStore(app.db, app.signals, {
    backfillMs,
    maxStreamsPerClient: MAX_STREAMS_PER_CLIENT,
    minVerificationIntervalMs: MIN_VERIFICATION_INTERVAL_MS,
    now
  })
  // Events recorded in this process wake the waiting polls through the signal log itself (Delivery
  // listens to its announcements); those of other replicas arrive as a PostgreSQL NOTIFY.
  const delivery = new Delivery({
    db: app.db, log: app.signals, signSet: createSetSigner(app.keyRing), issuer, recheckMs, longPollTimeoutMs, now
  })
  app.decorate('ssfStreams', streams)
  app.decorate('ssfDelivery', delivery)
  await app.db.watch(SSF_EVENTS_ADDED, () => delivery.wake())

  const timer = startSignalSweep(() => sweepSignals(app.db, { now: now(), retentionMs, backfillMs, inactivityMs }),
    SWEEP_INTERVAL_MS, app.log)

  // Before the server waits for its open requests: a waiting poll is answered now, not in 25 s.
  app.addHook('preClose', async () => { delivery.close() })
  app.addHook('onClose', async () => {
    clearInterval(timer)
    delivery.close()
  })
}, { name: 'ssf-transmitter', dependencies: ['database', 'signals', 'signing-keys'] })

/**
 * Runs `sweep` every `intervalMs` (never two at once), on a timer that does not keep the process up.
 * A failure is logged and forgotten: the next sweep does the same work. Clear the timer to stop.
 */
export function startSignalSweep (
  sweep: () => Promise<{ events: number, streams: number }>, intervalMs: number, log: FastifyBaseLogger
): NodeJS.Timeout {
  let sweeping = false
  const run = async () => {
    if (sweeping) return
    sweeping = true
    try {
      const swept = await sweep()
      if (swept.events > 0 || swept.streams > 0) log.info({ event: 'ssf_swept', ...swept }, 'Shared Signals swept')
    } catch (error) {
      const code = isDatabaseUnavailable(error) ? 'DATABASE_UNAVAILABLE' : (error as { code?: unknown } | null)?.code
      log.warn({ event: 'ssf_sweep_failed', code }, 'Shared Signals retention sweep failed')
    } finally {
      sweeping = false
    }
  }
  // `run` never rejects: it logs its own failures.
  const timer = setInterval(run, intervalMs)
  timer.unref()
  return timer
}
