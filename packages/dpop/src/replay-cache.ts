import { hash } from 'node:crypto'
import type { SqlQueryable } from '@repo/service-kit/sql'

/**
 * Remembers each proof it is shown until the proof could no longer be accepted anyway (its `iat`
 * plus the window), so that no proof is accepted twice (RFC 9449 §11.1).
 */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAtMs`. `true`: first sighting, the proof may be accepted; `false`: seen
   * before (a replay), or no room to remember it (then accepting it could let its replay through).
   * The memory cache answers at once (no promise on the hot path), a database one with a promise.
   */
  claim: (key: string, expiresAtMs: number, nowMs: number) => boolean | Promise<boolean>
}

/** The key of a proof: its `jti` within its key's thumbprint (two clients may pick the same jti). */
export const replayKey = (jkt: string, jti: string): string =>
  hash('sha256', `${jkt}.${jti}`, 'base64url')

/**
 * One process's replay cache, in memory, holding at most `maxEntries` proofs. When full of proofs that
 * are all still within their window, it refuses new ones rather than forgetting one: forgetting would
 * let that proof be replayed. Expired entries are dropped as time passes, oldest stored first (every
 * entry lives the same window, give or take the spread of the proofs' `iat`s), from a queue of the keys
 * in the order they were stored: a Map keeps the slots of deleted entries until it is rebuilt, so walking
 * the map itself from its oldest entry would step over every proof deleted since (measured: 10 to 70 µs
 * a claim at 2000 proofs a second once the first window had passed, against under 1 µs this way).
 * Each entry costs about 160 bytes (a 43-character key, a number, and the key's place in the queue), so
 * the default 100 000 entries stay under 16 MiB.
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>()
  readonly #maxEntries: number
  /** The keys in the order they were first stored; those before `#head` are swept already. */
  #order: string[] = []
  #head = 0

  constructor ({ maxEntries = 100_000 }: { maxEntries?: number } = {}) {
    this.#maxEntries = maxEntries
  }

  get size (): number {
    return this.#entries.size
  }

  claim (key: string, expiresAtMs: number, nowMs: number): boolean {
    this.#sweep(nowMs)
    const seen = this.#entries.get(key)
    if (seen !== undefined && seen > nowMs) return false
    if (seen === undefined) {
      if (this.#entries.size >= this.#maxEntries) return false
      this.#order.push(key)
    }
    // An expired entry not swept yet is taken over where it stands in the queue.
    this.#entries.set(key, expiresAtMs)
    return true
  }

  /** Drops expired entries from the oldest stored on, stopping at the first live one. */
  #sweep (nowMs: number): void {
    while (this.#head < this.#order.length) {
      const key = this.#order[this.#head] as string
      const expiresAt = this.#entries.get(key)
      if (expiresAt !== undefined && expiresAt > nowMs) break
      this.#entries.delete(key)
      this.#head++
    }
    // The swept part of the queue goes once it is half of it: each key is copied once, on average.
    if (this.#head >= SWEPT_QUEUE_MIN && this.#head * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#head)
      this.#head = 0
    }
  }
}

/** Below this many swept keys the queue is not worth copying. */
const SWEPT_QUEUE_MIN = 1024

const TABLE_NAME = /^[a-z][a-z0-9_]{0,62}$/

function checkTable (table: string): string {
  if (!TABLE_NAME.test(table)) {
    throw new RangeError(`a replay table name must be a lower-case SQL identifier, got ${table}`)
  }
  return table
}

/**
 * The replay table `table`, in a service's own migrations (SQL both engines run). Each service names
 * its own: the auth service and the consumer may share one database (docker-compose.postgres.yml).
 */
export function replayTableSql (table: string): string {
  checkTable(table)
  return `CREATE TABLE ${table} (
     proof_key TEXT PRIMARY KEY,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX ${table}_expires_at ON ${table} (expires_at);`
}

const PURGE_EVERY_MS = 60_000

/**
 * The replay cache of replicas that share a database: a proof accepted by one replica is a replay on
 * every other. The primary key decides: of two inserts of one proof, exactly one changes a row. An
 * expired row that is still there is taken over, not counted as a replay. Expired rows are deleted
 * at most once a minute, by whichever replica claims next, unless `purgeExpired: false`: a service
 * with a purge job of its own keeps that statement out of its requests.
 */
export class SqlReplayCache implements ReplayCache {
  readonly #db: SqlQueryable
  readonly #table: string
  readonly #purgeExpired: boolean
  #purgedAt = 0

  /** `table`: made by `replayTableSql(table)` in the service's migrations. */
  constructor (db: SqlQueryable, table: string, { purgeExpired = true }: { purgeExpired?: boolean } = {}) {
    this.#db = db
    this.#table = checkTable(table)
    this.#purgeExpired = purgeExpired
  }

  async claim (key: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    if (this.#purgeExpired && nowMs - this.#purgedAt >= PURGE_EVERY_MS) {
      this.#purgedAt = nowMs
      await this.#db.run(`DELETE FROM ${this.#table} WHERE expires_at <= $1`, [nowMs])
    }
    const changed = await this.#db.run(
      `INSERT INTO ${this.#table} (proof_key, expires_at) VALUES ($1, $2)
       ON CONFLICT (proof_key) DO UPDATE SET expires_at = excluded.expires_at WHERE ${this.#table}.expires_at <= $3`,
      [key, expiresAtMs, nowMs])
    return changed === 1
  }
}
