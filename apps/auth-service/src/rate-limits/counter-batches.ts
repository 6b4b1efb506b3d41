import type DataLoader from 'dataloader'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { ANY_OF_JSON_TEXT, perTurnBatches } from '../db/per-turn-batches.js'

export interface CounterState {
  count: number
  windowEndsAt: number
}

interface CounterRow {
  key: string
  count: number
  window_ends_at: number
}

interface Increment {
  key: string
  windowMs: number
}

/**
 * Every key of the batch in one upsert, in key order, so that two replicas' batches lock their rows in
 * the same order and cannot deadlock. A key counted n times in the batch goes up by n at once (an
 * upsert may not touch one row twice); a new or ended window starts over at n.
 */
const INCREMENT = `INSERT INTO rate_limits AS counter (key, count, window_ends_at)
  SELECT t.key, t.n, $2::bigint + t.window_ms
  FROM json_to_recordset($1::json) AS t(key text, n integer, window_ms bigint)
  ORDER BY t.key
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counter.window_ends_at <= $2::bigint THEN EXCLUDED.count ELSE counter.count + EXCLUDED.count END,
    window_ends_at = CASE WHEN counter.window_ends_at <= $2::bigint
      THEN EXCLUDED.window_ends_at
      ELSE counter.window_ends_at END
  RETURNING key, count, window_ends_at`

const READ = `SELECT key, count, window_ends_at FROM rate_limits WHERE key = ${ANY_OF_JSON_TEXT}`

/**
 * The shared counters' statements, batched (`perTurnBatches`): every count and every read asked for while
 * the event loop runs one turn (one request's limiters, and every other request's that arrived with it)
 * goes to PostgreSQL as one upsert and one select, not a round trip each. Each count still adds exactly
 * one: the callers of one key in a batch get successive values, as if they had counted one by one.
 */
export class CounterBatches {
  readonly #increments: DataLoader<Increment, CounterState>
  readonly #reads: DataLoader<string, CounterState | undefined>

  constructor (db: SqlDatabase, now: () => number) {
    this.#increments = perTurnBatches<Increment, CounterState>(async (increments) => {
      const counted = new Map<string, { windowMs: number, n: number }>()
      for (const { key, windowMs } of increments) {
        const entry = counted.get(key)
        if (entry === undefined) counted.set(key, { windowMs, n: 1 })
        else entry.n++
      }
      const batch = [...counted].map(([key, { windowMs, n }]) => ({ key, n, window_ms: windowMs }))
      const rows = await db.all<CounterRow>(INCREMENT, [JSON.stringify(batch), now()])
      // The first caller of a key gets the count before the batch's others were added, and so on.
      const next = new Map(rows.map((row) => [row.key, row.count - (counted.get(row.key)?.n ?? 1) + 1]))
      const windowEnds = new Map(rows.map((row) => [row.key, row.window_ends_at]))
      return increments.map(({ key }) => {
        const count = next.get(key) as number
        next.set(key, count + 1)
        return { count, windowEndsAt: windowEnds.get(key) as number }
      })
    })
    this.#reads = perTurnBatches<string, CounterState | undefined>(async (keys) => {
      const rows = await db.all<CounterRow>(READ, [JSON.stringify(keys)])
      const found = new Map(rows.map((row) => [row.key, { count: row.count, windowEndsAt: row.window_ends_at }]))
      return keys.map((key) => found.get(key))
    })
  }

  /** Counts one event of `key`; resolves to the count and window after it. */
  increment (key: string, windowMs: number): Promise<CounterState> {
    return this.#increments.load({ key, windowMs })
  }

  /** The counter of `key` as stored (its window may have ended), or undefined if none is. */
  read (key: string): Promise<CounterState | undefined> {
    return this.#reads.load(key)
  }
}
