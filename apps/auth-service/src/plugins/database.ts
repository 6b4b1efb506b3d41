import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { trackDatabaseOutages, type DatabaseOutage } from '@repo/service-kit/database-outage'
import { describeDatabase, type DatabaseLocation, type SqlDatabase } from '@repo/service-kit/sql'
import { DATABASE_FILE, openAuthDatabase } from '../db/open-auth-database.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The auth database: users, signing keys, clients and refresh tokens (SQLite or PostgreSQL). */
    db: SqlDatabase
    /** Whether statements reach `db`; `/health/ready` asks it. */
    dbOutage: DatabaseOutage
  }
}

export interface DatabasePluginOptions extends DatabaseLocation {
  /** `DATABASE_CONNECT_TIMEOUT`: the longest a statement waits for a connection. */
  connectTimeoutMs: number
  /** `DATABASE_START_WAIT`: the longest the start waits for a PostgreSQL server that is not up yet. */
  startWaitMs: number
  /** The app's metrics registry, for the database's availability metrics. */
  registry: Registry
}

/**
 * Opens the auth database (creating and migrating it on first start) and closes it when the app
 * closes: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR. While PostgreSQL is
 * away, the statements that need it fail as `DatabaseUnavailableError` (503, `Retry-After`).
 */
export const databasePlugin = fp(async function database (app: FastifyInstance, options: DatabasePluginOptions) {
  const { connectTimeoutMs, startWaitMs, registry, ...location } = options
  const log = app.log.child({ component: 'database' })
  const database = describeDatabase(location, DATABASE_FILE)
  const outage = trackDatabaseOutages(app, { registry, pingTimeoutMs: connectTimeoutMs })
  const db = await openAuthDatabase(location, {
    log,
    availability: outage,
    connectTimeoutMs,
    // Replicas and PostgreSQL often start together: wait for it, saying so once.
    waitMs: startWaitMs,
    onWaiting: (error) => log.info({ database, reason: (error as { code?: string }).code ?? error.message },
      `database not reachable yet; retrying every second for ${startWaitMs / 1000} s`)
  })
  log.info({ database }, 'database ready')
  app.decorate('db', db)
  app.decorate('dbOutage', outage)
  // onClose hooks run last-registered first: everything that uses the database has stopped by now.
  app.addHook('onClose', async () => db.close())
}, { name: 'database' })
