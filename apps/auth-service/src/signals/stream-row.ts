import { CAEP_EVENTS, type StreamStatusValue } from '@repo/contracts/ssf'

/** A receiver's stream (SSF 1.0 §8.1.1), as the transmitter keeps it. Times in ms since the epoch. */
export interface StoredStream {
  streamId: string
  clientId: string
  description?: string
  eventsRequested: string[]
  /** What the stream is given: `eventsRequested` ∩ CAEP_EVENTS, or every CAEP event when none was asked for. */
  eventsDelivered: string[]
  status: StreamStatusValue
  statusReason?: string
  /** The stream is given the events recorded at or after this. */
  backfillFrom: number
  createdAt: number
  lastPolledAt: number
}

/** A row of `ssf_streams` as both engines return it (times as numbers). */
export interface StreamRow {
  stream_id: string
  client_id: string
  description: string | null
  events_requested: string
  status: StreamStatusValue
  status_reason: string | null
  backfill_from: number
  created_at: number
  last_polled_at: number
}

const deliveredOf = (requested: readonly string[]): string[] =>
  requested.length === 0 ? [...CAEP_EVENTS] : CAEP_EVENTS.filter((type) => requested.includes(type))

export const toStream = (row: StreamRow): StoredStream => {
  const eventsRequested = JSON.parse(row.events_requested) as string[]
  return {
    streamId: row.stream_id,
    clientId: row.client_id,
    ...(row.description === null ? {} : { description: row.description }),
    eventsRequested,
    eventsDelivered: deliveredOf(eventsRequested),
    status: row.status,
    ...(row.status_reason === null ? {} : { statusReason: row.status_reason }),
    backfillFrom: row.backfill_from,
    createdAt: row.created_at,
    lastPolledAt: row.last_polled_at
  }
}

/** Event URIs once each, in the order asked. */
export const uniq = (values: readonly string[]): string[] => [...new Set(values)]
