import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { isDatabaseUnavailable, type SqlDatabase } from '@repo/service-kit/sql'
import { purgeExpired, type PurgeCounts } from './purge.js'
import type { PurgeRule } from './retention-rules.js'

/** The advisory lock a replica holds while it purges (PostgreSQL): the others skip their run. */
export const PURGE_LOCK = 'maintenance:purge'

export interface PurgeScheduleOptions {
  db: SqlDatabase
  rules: readonly PurgeRule[]
  intervalMs: number
  batchSize: number
  /** Milliseconds since the epoch. */
  now: () => number
  log: FastifyBaseLogger
}

/**
 * One purge, unless another process is purging this database: `undefined` then. On PostgreSQL the
 * replica that takes the lock purges; the others skip (their next run comes soon enough) instead of
 * queueing behind it as `db.transaction(PURGE_LOCK)` would. The lock is held by a transaction of its
 * own while the batches run on other connections, each committing on its own. SQLite has one process
 * per file: the in-process guard of `startPurgeSchedule` is enough.
 */
export async function purgeUnlessBusy (
  { db, rules, batchSize }: Pick<PurgeScheduleOptions, 'db' | 'rules' | 'batchSize'>, now: number
): Promise<PurgeCounts | undefined> {
  if (db.dialect === 'sqlite') return purgeExpired(db, rules, { now, batchSize })
  // A lock name of its own for the transaction: only the try-lock below decides who purges.
  return db.transaction(`${PURGE_LOCK}:${randomUUID()}`, async (tx) => {
    const lock = await tx.get<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [PURGE_LOCK])
    return lock?.locked === true ? purgeExpired(db, rules, { now, batchSize }) : undefined
  })
}

/**
 * Runs the purge every `intervalMs` on a timer that does not keep the process up; never two runs at
 * once in this process. A failure is logged and forgotten: the next run does the same work. One line
 * per run that deleted anything. `stop()` clears the timer and waits for a run under way.
 */
export function startPurgeSchedule (options: PurgeScheduleOptions) {
  const { intervalMs, now, log } = options
  let running: Promise<void> | undefined

  /** Never rejects: it logs its own failures. */
  async function run () {
    try {
      const counts = await purgeUnlessBusy(options, now())
      if (counts === undefined) {
        log.debug({ event: 'purge_skipped' }, 'purge skipped: another replica is purging')
      } else if (Object.values(counts).some((count) => count > 0)) {
        log.info({ event: 'purged', counts }, 'expired rows purged')
      }
    } catch (error) {
      // The database away is logged once per outage (service-kit's database-outage).
      if (isDatabaseUnavailable(error)) log.debug({ reason: error.reason }, 'purge skipped: no database')
      // The code only: a driver's message may quote the values of the statement.
      else log.warn({ event: 'purge_failed', code: (error as { code?: unknown } | null)?.code }, 'purge failed')
    }
  }

  const timer = setInterval(() => {
    if (running) return
    running = run().finally(() => { running = undefined })
  }, intervalMs).unref()

  return {
    async stop () {
      clearInterval(timer)
      await running
    }
  }
}
