import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { CODE_LIFETIME_MS } from '../authorization/authorization-code-store.js'
import { startPurgeSchedule } from '../maintenance/purge-schedule.js'
import { purgeRules } from '../maintenance/retention-rules.js'

/** Rows per DELETE: short statements, short locks, and still few round trips for a backlog. */
export const PURGE_BATCH_SIZE = 1000

export interface MaintenancePluginOptions {
  /** PURGE_INTERVAL */
  intervalMs: number
  /** TOKEN_TTL + CLOCK_TOLERANCE: how long an access token may be accepted after it was minted. */
  accessTokenReachMs: number
  /** Milliseconds since the epoch. */
  now: () => number
}

/**
 * The periodic purge of rows nothing can use any more (maintenance/retention-rules.ts), so the
 * tables of short-lived rows stop growing; one replica at a time on PostgreSQL.
 */
export const maintenancePlugin = fp(async function maintenance (
  app: FastifyInstance, { intervalMs, accessTokenReachMs, now }: MaintenancePluginOptions
) {
  const rules = purgeRules({ accessTokenReachMs, codeLifetimeMs: CODE_LIFETIME_MS })
  const schedule = startPurgeSchedule({ db: app.db, rules, intervalMs, batchSize: PURGE_BATCH_SIZE, now, log: app.log })
  app.addHook('onClose', async () => { await schedule.stop() })
}, { name: 'maintenance', dependencies: ['database'] })
