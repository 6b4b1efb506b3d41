import type { SqlQueryable } from '@repo/service-kit/sql'
import type { PurgeRule } from './retention-rules.js'

export interface PurgeOptions {
  /** Milliseconds since the epoch. */
  now: number
  /** At most this many rows per statement: no statement holds its locks for long. */
  batchSize: number
}

/** Rows deleted, by table. */
export type PurgeCounts = Record<string, number>

/**
 * One batch of `rule`: the same SQL on both engines, by primary key (a row value for a composite
 * key), so each statement deletes at most `limit` rows and the subquery reads them by its index.
 */
export function batchDeleteSql (rule: PurgeRule, limitParam: number): string {
  const { table, key, where } = rule
  return `DELETE FROM ${table} WHERE (${key}) IN
    (SELECT ${key} FROM ${table} WHERE ${where} LIMIT $${limitParam})`
}

/**
 * Deletes every row `rules` say nothing can use any more, `batchSize` rows per statement, repeating
 * until a statement deletes fewer; each statement commits on its own. Idempotent: a run that fails
 * half-way leaves the rest to the next one. Returns the rows deleted per table.
 */
export async function purgeExpired (
  db: SqlQueryable, rules: readonly PurgeRule[], { now, batchSize }: PurgeOptions
): Promise<PurgeCounts> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${batchSize}`)
  const counts: PurgeCounts = {}
  for (const rule of rules) {
    const params = rule.params(now)
    const sql = batchDeleteSql(rule, params.length + 1)
    let total = 0
    let deleted: number
    do {
      deleted = await db.run(sql, [...params, batchSize])
      total += deleted
    } while (deleted === batchSize)
    counts[rule.table] = total
  }
  return counts
}
