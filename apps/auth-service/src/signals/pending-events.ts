import type { SecurityEventClaims, Subject } from '@repo/contracts/ssf'
import type { SqlQueryable } from '@repo/service-kit/sql'
import type { StoredStream } from './stream-store.js'

export interface PendingEvent {
  id: string
  event_type: string
  subject: string
  payload: string
  txn: string
}

/**
 * Up to `limit` events the stream has not acknowledged, oldest first: every event recorded at or after
 * its `backfill_from` of a type it is delivered, and those recorded for it alone. The stream's row is
 * read again, so a stream paused, disabled or deleted while a poll waited is given nothing.
 */
export async function pendingEvents (sql: SqlQueryable, stream: StoredStream, limit: number):
Promise<PendingEvent[]> {
  const types = stream.eventsDelivered
  const ofType = types.length === 0
    ? ''
    : ` OR (e.stream_id IS NULL AND e.event_type IN (${types.map((_, i) => `$${i + 3}`).join(', ')}))`
  return sql.all<PendingEvent>(
    `SELECT e.id, e.event_type, e.subject, e.payload, e.txn
     FROM ssf_events e JOIN ssf_streams s ON s.stream_id = $1
     WHERE s.status = 'enabled' AND e.recorded_at >= s.backfill_from AND (e.stream_id = $1${ofType})
       AND NOT EXISTS (SELECT 1 FROM ssf_acks a WHERE a.stream_id = $1 AND a.event_id = e.id)
     ORDER BY e.recorded_at, e.id
     LIMIT $2`,
    [stream.streamId, limit, ...types])
}

/** The claims of the SET that gives `event` to `stream` (RFC 8417 §2.2): no `sub`, no `exp`. */
export const setClaims = (event: PendingEvent, stream: StoredStream, issuer: string, now: number):
SecurityEventClaims => ({
  iss: issuer,
  jti: `${event.id}.${stream.streamId}`,
  iat: Math.floor(now / 1000),
  aud: stream.clientId,
  txn: event.txn,
  sub_id: JSON.parse(event.subject) as Subject,
  events: { [event.event_type]: JSON.parse(event.payload) as object }
})
