import type { SqlQueryable } from '@repo/service-kit/sql'

/** A row of `ssf_events` as a test compares it: subject and payload parsed. */
export interface RecordedEvent {
  type: string
  subject: unknown
  payload: unknown
  txn: string
  id: string
}

/** Every recorded event, ordered by type then time (two events of one change share their instant). */
export async function recordedEvents (db: SqlQueryable): Promise<RecordedEvent[]> {
  const rows = await db.all<{ id: string, event_type: string, subject: string, payload: string, txn: string }>(
    'SELECT id, event_type, subject, payload, txn FROM ssf_events ORDER BY event_type, recorded_at')
  return rows.map((row) => ({
    type: row.event_type, subject: JSON.parse(row.subject), payload: JSON.parse(row.payload), txn: row.txn, id: row.id
  }))
}
