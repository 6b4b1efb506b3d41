import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { describeDatabase, type DatabaseLocation } from '@repo/service-kit/sql'
import { DATABASE_FILE, ReportStore } from '../reports/report-store.js'

const DATABASE_START_WAIT_MS = 30_000

declare module 'fastify' {
  interface FastifyInstance {
    reports: ReportStore
  }
}

/** Opens the reports database (PostgreSQL at DATABASE_URL, else SQLite under DATA_DIR) and closes it when the app closes. */
export const reportStorePlugin = fp(async function reportStore (app: FastifyInstance, location: DatabaseLocation) {
  const log = app.log.child({ component: 'database' })
  const reports = await ReportStore.open(location, {
    onError: (error, what) => log.warn({ err: error }, what),
    waitMs: DATABASE_START_WAIT_MS,
    onWaiting: (error) => log.info({ database: describeDatabase(location, DATABASE_FILE), reason: error.message }, `database not reachable yet; retrying every second for ${DATABASE_START_WAIT_MS / 1000} s`)
  })
  log.info({ database: describeDatabase(location, DATABASE_FILE) }, 'database ready')
  app.decorate('reports', reports)
  app.addHook('onClose', async () => reports.close())
}, { name: 'report-store' })
