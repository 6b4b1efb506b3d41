import type { SqlDatabase } from '@repo/service-kit/sql'

export interface SweepOptions {
  now: number
  /** No event outlives this (SSF_EVENT_RETENTION). */
  retentionMs: number
  /** Past this age (SSF_BACKFILL) no new stream is given an event: once every stream acked it, it can go. */
  backfillMs: number
  /** A stream not polled for this long is deleted (SSF_STREAM_INACTIVITY). */
  inactivityMs: number
}

/**
 * Whether stream `s` may still be given event `e`: not disabled (re-enabling starts from the backfill
 * window), the event inside its window, for it or of a type it asked for, and not acknowledged. The
 * type test reads `events_requested` as text (the same SQL on both engines): `[]` asks for every CAEP
 * event; a LIKE on the quoted URI can only over-match (`_`), which keeps an event, never loses one.
 */
const STILL_OWED = `s.status <> 'disabled' AND s.backfill_from <= e.recorded_at
  AND (e.stream_id = s.stream_id OR (e.stream_id IS NULL
    AND (s.events_requested = '[]' OR s.events_requested LIKE '%"' || e.event_type || '"%')))
  AND NOT EXISTS (SELECT 1 FROM ssf_acks a WHERE a.stream_id = s.stream_id AND a.event_id = e.id)`

/**
 * Deletes what no stream can be given any more, in one transaction (idempotent: every replica runs it):
 * streams not polled for `inactivityMs` with their acknowledgements and own events; events older than
 * `retentionMs`; events older than `backfillMs` that no stream is still owed; acknowledgements of
 * deleted events. Counts the events and streams deleted.
 */
export async function sweepSignals (db: SqlDatabase, options: SweepOptions):
Promise<{ events: number, streams: number }> {
  const { now, retentionMs, backfillMs, inactivityMs } = options
  return db.transaction('ssf-retention', async (tx) => {
    const streams = await tx.run('DELETE FROM ssf_streams WHERE last_polled_at < $1', [now - inactivityMs])
    let events = await tx.run(
      `DELETE FROM ssf_events AS e WHERE recorded_at < $1
         OR (e.stream_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ssf_streams s WHERE s.stream_id = e.stream_id))`,
      [now - retentionMs])
    events += await tx.run(
      `DELETE FROM ssf_events AS e WHERE recorded_at < $1
         AND NOT EXISTS (SELECT 1 FROM ssf_streams s WHERE ${STILL_OWED})`,
      [now - backfillMs])
    await tx.run(
      `DELETE FROM ssf_acks WHERE NOT EXISTS (SELECT 1 FROM ssf_streams s WHERE s.stream_id = ssf_acks.stream_id)
         OR NOT EXISTS (SELECT 1 FROM ssf_events e WHERE e.id = ssf_acks.event_id)`)
    return { events, streams }
  })
}
