import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { CounterBatches } from './counter-batches.js'

type Callback = (error: Error | null, result?: { current: number, ttl: number }) => void

/**
 * A @fastify/rate-limit store (PostgreSQL only: the SQL uses its casts and JSON functions) whose counters
 * live in the service's PostgreSQL database, so every replica counts against the same limits: three
 * replicas do not triple an attacker's budget. Counts and reads go out in batches (`CounterBatches`):
 * a token request's two failure counters are one select, and requests that arrive together share it.
 * Windows are fixed, like the in-memory store's: they start at the first count. `nameSpace` (given
 * to `createRateLimit`) keeps the counters of different limits apart.
 */
export function databaseRateLimitStore (db: SqlDatabase, now: () => number = Date.now): FastifyRateLimitStoreCtor {
  const batches = new CounterBatches(db, now)
  return class DatabaseRateLimitStore {
    readonly #prefix: string

    constructor (options: { nameSpace?: string }) {
      this.#prefix = options.nameSpace ?? ''
    }

    incr (key: string, callback: Callback, timeWindow: number) {
      batches.increment(`${this.#prefix}${key}`, timeWindow)
        .then(({ count, windowEndsAt }) => callback(null, { current: count, ttl: windowEndsAt - now() }), callback)
    }

    read (key: string, callback: Callback) {
      batches.read(`${this.#prefix}${key}`)
        .then((counter) => {
          const at = now()
          callback(null, counter !== undefined && counter.windowEndsAt > at
            ? { current: counter.count, ttl: counter.windowEndsAt - at }
            : { current: 0, ttl: 0 })
        }, callback)
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
