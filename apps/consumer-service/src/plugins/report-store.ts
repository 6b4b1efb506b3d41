import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { trackDatabaseOutages } from '@repo/service-kit/database-outage'
import { describeDatabase, type DatabaseLocation } from '@repo/service-kit/sql'
import { DATABASE_FILE, ReportStore } from '../reports/report-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    reports: ReportStore
  }
}

export interface ReportStorePluginOptions extends DatabaseLocation {
  /** `DATABASE_CONNECT_TIMEOUT`: the longest a statement waits for a connection. */
  connectTimeoutMs: number
  /** `DATABASE_START_WAIT`: the longest the start waits for a PostgreSQL server that is not up yet. */
  startWaitMs: number
  /** The app's metrics registry, for the database's availability metrics. */
  registry: Registry
}

/**
 * Opens the reports database (PostgreSQL at DATABASE_URL, else SQLite under DATA_DIR) and closes it
 * when the app closes. While PostgreSQL is away the report routes answer 503 with `Retry-After`;
 * readiness does not follow it: verifying tokens, the rest of the API, needs no database.
 */
export const reportStorePlugin = fp(async function reportStore (
  app: FastifyInstance, options: ReportStorePluginOptions
) {
  const { connectTimeoutMs, startWaitMs, registry, ...location } = options
  const log = app.log.child({ component: 'database' })
  const database = describeDatabase(location, DATABASE_FILE)
  const reports = await ReportStore.open(location, {
    log,
    availability: trackDatabaseOutages(app, { registry, pingTimeoutMs: connectTimeoutMs }),
    connectTimeoutMs,
    waitMs: startWaitMs,
    onWaiting: (error) => log.info({ database, reason: (error as { code?: string }).code ?? error.message },
      `database not reachable yet; retrying every second for ${startWaitMs / 1000} s`)
  })
  log.info({ database }, 'database ready')
  app.decorate('reports', reports)
  app.addHook('onClose', async () => reports.close())
}, { name: 'report-store' })
