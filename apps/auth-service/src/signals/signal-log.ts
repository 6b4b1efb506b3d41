import { randomBytes } from 'node:crypto'
import type {
  CAEP_CREDENTIAL_CHANGE,
  CAEP_SESSION_REVOKED,
  CredentialChangeEvent,
  SessionRevokedEvent,
  SSF_STREAM_UPDATED,
  SSF_VERIFICATION,
  Subject
} from '@repo/contracts/ssf'
import type { SqlDatabase, SqlQueryable } from '@repo/service-kit/sql'

/** A security event as the auth service records it: once, for every stream (Shared Signals). */
export type SignalEvent =
  | { type: typeof CAEP_SESSION_REVOKED, subject: Subject, payload: SessionRevokedEvent, txn?: string }
  | { type: typeof CAEP_CREDENTIAL_CHANGE, subject: Subject, payload: CredentialChangeEvent, txn?: string }

/** A new random id, 128 bits as hex: an event's id, a `txn`, a stream's id. */
export const newSignalId = (): string => randomBytes(16).toString('hex')

/**
 * Records security events in `ssf_events`, one INSERT each, so an event commits with the state change
 * that caused it (no revocation without its event). Streams read them from there (signals/*).
 * Long polls waiting in this process are woken by `announce()`; on PostgreSQL a trigger also wakes
 * every replica (LISTEN/NOTIFY on `ssf_events_added`).
 */
export class SignalLog {
  readonly #db: SqlDatabase
  readonly #now: () => number
  readonly #listeners = new Set<() => void>()

  constructor (db: SqlDatabase, now: () => number) {
    this.#db = db
    this.#now = now
  }

  /**
   * Records `event` through `sql`: the caller's transaction, then call `announce()` once it has
   * committed; or, by default, the database itself (its own statement, announced at once).
   * Resolves to the event's id.
   */
  async record (event: SignalEvent, sql: SqlQueryable = this.#db): Promise<string> {
    const id = await this.#insert(sql, event.type, event.subject, event.payload, event.txn, null)
    if (sql === this.#db) this.announce()
    return id
  }

  /**
   * Records an event for one stream alone (a verification, a stream-updated: SSF 1.0 §8.1.4, §8.1.5),
   * its subject the stream itself, through `sql` (a transaction: call `announce()` after its commit).
   */
  async recordForStream (
    streamId: string, type: typeof SSF_VERIFICATION | typeof SSF_STREAM_UPDATED, payload: object, sql: SqlQueryable
  ): Promise<string> {
    return this.#insert(sql, type, { format: 'opaque', id: streamId }, payload, undefined, streamId)
  }

  async #insert (sql: SqlQueryable, type: string, subject: Subject, payload: object, txn: string | undefined,
    streamId: string | null): Promise<string> {
    const id = newSignalId()
    await sql.run(
      `INSERT INTO ssf_events (id, event_type, subject, payload, txn, stream_id, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, type, JSON.stringify(subject), JSON.stringify(payload), txn ?? id, streamId, this.#now()]
    )
    return id
  }

  /** Wakes the long polls waiting in this process: call after a transaction that recorded events commits. */
  announce (): void {
    for (const listener of this.#listeners) listener()
  }

  /** Calls `listener` on every `announce()`; the returned function stops that. */
  onAnnounce (listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
