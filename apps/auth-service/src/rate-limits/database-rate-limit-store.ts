import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { SqlDatabase } from '@repo/service-kit/sql'

interface CounterRow {
  count: number
  window_ends_at: number
}

type Callback = (error: Error | null, result?: { current: number, ttl: number }) => void

/**
 * One atomic statement per count: a new key starts a window, an expired one starts over, a live one
 * goes up by one. PostgreSQL's row lock on the key makes concurrent counts on any replica add up.
 */
const INCREMENT = `INSERT INTO rate_limits AS counter (key, count, window_ends_at)
  VALUES ($1, 1, $2::bigint + $3::bigint)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counter.window_ends_at <= $2::bigint THEN 1 ELSE counter.count + 1 END,
    window_ends_at = CASE WHEN counter.window_ends_at <= $2::bigint
      THEN $2::bigint + $3::bigint
      ELSE counter.window_ends_at END
  RETURNING count, window_ends_at`

/**
 * A @fastify/rate-limit store (PostgreSQL only: the SQL uses its casts) whose counters live in the service's
 * PostgreSQL database, so every replica counts against the same limits: three replicas do not triple an
 * attacker's budget.
 * Windows are fixed, like the in-memory store's: they start at the first count. `nameSpace` (given
 * to `createRateLimit`) keeps the counters of different limits apart.
 */
export function databaseRateLimitStore (db: SqlDatabase, now: () => number = Date.now): FastifyRateLimitStoreCtor {
  return class DatabaseRateLimitStore {
    readonly #prefix: string

    constructor (options: { nameSpace?: string }) {
      this.#prefix = options.nameSpace ?? ''
    }

    incr (key: string, callback: Callback, timeWindow: number) {
      const at = now()
      db.get<CounterRow>(INCREMENT, [`${this.#prefix}${key}`, at, timeWindow])
        .then((row) => callback(null, { current: row?.count ?? 1, ttl: (row?.window_ends_at ?? at) - at }), callback)
    }

    read (key: string, callback: Callback) {
      const at = now()
      db.get<CounterRow>('SELECT count, window_ends_at FROM rate_limits WHERE key = $1', [`${this.#prefix}${key}`])
        .then((row) => callback(null, row && row.window_ends_at > at
          ? { current: row.count, ttl: row.window_ends_at - at }
          : { current: 0, ttl: 0 }), callback)
    }

    child (routeOptions: { nameSpace?: string }) {
      return new DatabaseRateLimitStore({ nameSpace: `${this.#prefix}${routeOptions.nameSpace ?? ''}` })
    }
  } as unknown as FastifyRateLimitStoreCtor
}

/** Deletes counters whose window has ended; they would start over anyway. */
export async function deleteEndedWindows (db: SqlDatabase, now: number): Promise<number> {
  return db.run('DELETE FROM rate_limits WHERE window_ends_at <= $1', [now])
}
