import { SSF_STREAM_UPDATED, SSF_VERIFICATION, type StreamStatusValue } from '@repo/contracts/ssf'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { newSignalId, type SignalLog } from './signal-log.js'
import { toStream, uniq, type StoredStream, type StreamRow } from './stream-row.js'

export type { StoredStream } from './stream-row.js'

export interface StreamStoreOptions {
  /** How far back a new (or re-enabled) stream's first poll reaches. */
  backfillMs: number
  maxStreamsPerClient: number
  minVerificationIntervalMs: number
  now: () => number
}

/**
 * The receivers' streams, each visible to its own client only (another client's stream reads as
 * absent). Verification and stream-updated events are `ssf_events` rows for one stream, recorded
 * through the signal log's INSERT shape so a poll reads them like any event.
 */
export class StreamStore {
  readonly #db: SqlDatabase
  readonly #log: SignalLog
  readonly #options: StreamStoreOptions

  constructor (db: SqlDatabase, log: SignalLog, options: StreamStoreOptions) {
    this.#db = db
    this.#log = log
    this.#options = options
  }

  /** A new enabled stream, or 'too-many' when the client already has `maxStreamsPerClient`. */
  async create (clientId: string, request: { description?: string, eventsRequested?: string[] }):
  Promise<StoredStream | 'too-many'> {
    const now = this.#options.now()
    const streamId = newSignalId()
    // The count and the insert under one per-client lock: two concurrent creates cannot both pass the cap.
    const created = await this.#db.transaction(`ssf-streams:${clientId}`, async (tx) => {
      const count = await tx.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM ssf_streams WHERE client_id = $1', [clientId])
      if (Number(count?.n ?? 0) >= this.#options.maxStreamsPerClient) return false
      await tx.run(
        `INSERT INTO ssf_streams (stream_id, client_id, description, events_requested, status, status_reason,
           backfill_from, created_at, last_polled_at, verification_requested_at)
         VALUES ($1, $2, $3, $4, 'enabled', NULL, $5, $6, $6, NULL)`,
        [streamId, clientId, request.description ?? null, JSON.stringify(uniq(request.eventsRequested ?? [])),
          now - this.#options.backfillMs, now])
      return true
    })
    if (!created) return 'too-many'
    return (await this.get(clientId, streamId))!
  }

  async get (clientId: string, streamId: string): Promise<StoredStream | undefined> {
    const row = await this.#db.get<StreamRow>(
      'SELECT * FROM ssf_streams WHERE stream_id = $1 AND client_id = $2', [streamId, clientId])
    return row && toStream(row)
  }

  async list (clientId: string): Promise<StoredStream[]> {
    const rows = await this.#db.all<StreamRow>(
      'SELECT * FROM ssf_streams WHERE client_id = $1 ORDER BY created_at, stream_id', [clientId])
    return rows.map(toStream)
  }

  /** Changes what the receiver may set; a field left out stays as it was. */
  async update (clientId: string, streamId: string, change: { description?: string, eventsRequested?: string[] }):
  Promise<StoredStream | undefined> {
    const current = await this.get(clientId, streamId)
    if (!current) return undefined
    await this.#db.run(
      'UPDATE ssf_streams SET description = $1, events_requested = $2 WHERE stream_id = $3 AND client_id = $4',
      [change.description ?? current.description ?? null,
        JSON.stringify(uniq(change.eventsRequested ?? current.eventsRequested)), streamId, clientId])
    return this.get(clientId, streamId)
  }

  /** Deletes the stream with its acknowledgements and the events recorded for it alone. */
  async remove (clientId: string, streamId: string): Promise<boolean> {
    return this.#db.transaction(`ssf-stream:${streamId}`, async (tx) => {
      const removed = await tx.run('DELETE FROM ssf_streams WHERE stream_id = $1 AND client_id = $2',
        [streamId, clientId])
      if (removed === 0) return false
      await tx.run('DELETE FROM ssf_acks WHERE stream_id = $1', [streamId])
      await tx.run('DELETE FROM ssf_events WHERE stream_id = $1', [streamId])
      return true
    })
  }

  /**
   * Sets the status; a change is told to the stream as a stream-updated event (SSF 1.0 §8.1.5), which
   * matters to the other instances of a receiver polling one stream. Leaving `disabled` starts the
   * stream again from the backfill window: what happened while it was disabled and before is not sent.
   */
  async setStatus (clientId: string, streamId: string, status: StreamStatusValue, reason?: string):
  Promise<StoredStream | undefined> {
    const now = this.#options.now()
    const changed = await this.#db.transaction(`ssf-stream:${streamId}`, async (tx) => {
      const row = await tx.get<StreamRow>(
        'SELECT * FROM ssf_streams WHERE stream_id = $1 AND client_id = $2', [streamId, clientId])
      if (!row) return undefined
      const backfillFrom = row.status === 'disabled' && status !== 'disabled'
        ? Math.max(row.backfill_from, now - this.#options.backfillMs)
        : row.backfill_from
      await tx.run('UPDATE ssf_streams SET status = $1, status_reason = $2, backfill_from = $3 WHERE stream_id = $4',
        [status, reason ?? null, backfillFrom, streamId])
      if (row.status === status) return false
      await this.#log.recordForStream(streamId, SSF_STREAM_UPDATED,
        { status, ...(reason === undefined ? {} : { reason }) }, tx)
      return true
    })
    if (changed === undefined) return undefined
    if (changed) this.#log.announce()
    return this.get(clientId, streamId)
  }

  /**
   * Queues a verification event (SSF 1.0 §8.1.4.2), at most one per `minVerificationIntervalMs` per
   * stream. The time of the last request is the stream's `verification_requested_at` column, so the
   * limit holds across replicas and restarts.
   */
  async requestVerification (clientId: string, streamId: string, state?: string):
  Promise<'queued' | 'too-soon' | 'unknown'> {
    const now = this.#options.now()
    const outcome = await this.#db.transaction(`ssf-stream:${streamId}`, async (tx) => {
      const row = await tx.get<{ at: number | null }>(
        'SELECT verification_requested_at AS at FROM ssf_streams WHERE stream_id = $1 AND client_id = $2',
        [streamId, clientId])
      if (!row) return 'unknown'
      if (row.at !== null && now - row.at < this.#options.minVerificationIntervalMs) return 'too-soon'
      await tx.run('UPDATE ssf_streams SET verification_requested_at = $1 WHERE stream_id = $2', [now, streamId])
      await this.#log.recordForStream(streamId, SSF_VERIFICATION, state === undefined ? {} : { state }, tx)
      return 'queued'
    })
    if (outcome === 'queued') this.#log.announce()
    return outcome
  }
}
