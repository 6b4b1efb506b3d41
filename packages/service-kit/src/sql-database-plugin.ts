import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { trackDatabaseOutages, type DatabaseOutage } from './database-outage.js'
import { describeDatabase, type DatabaseLocation, type OpenSqlDatabaseOptions } from './sql/open-sql-database.js'

export interface SqlDatabasePluginOptions extends DatabaseLocation {
  /** `DATABASE_CONNECT_TIMEOUT`: the longest a statement waits for a connection. */
  connectTimeoutMs: number
  /** `DATABASE_START_WAIT`: the longest the start waits for a PostgreSQL server that is not up yet. */
  startWaitMs: number
  /** The app's metrics registry, for the database's availability metrics. */
  registry: Registry
}

/** What a service opens on its database (the database itself, or a store over it): closed with the app. */
export interface SqlDatabaseSpec<Opened extends { close: () => Promise<void> }> {
  /** The plugin's name, for other plugins' `dependencies`. */
  name: string
  /** The SQLite file under DATA_DIR, to name the database in logs. */
  file: string
  open: (location: DatabaseLocation, options: OpenSqlDatabaseOptions) => Promise<Opened>
  /** Puts what was opened (and, if the service wants it, the outage tracker) on the app. */
  decorate: (app: FastifyInstance, opened: Opened, outage: DatabaseOutage) => void
}

/**
 * A plugin that opens a service's database (PostgreSQL at DATABASE_URL, else SQLite under
 * DATA_DIR; created and migrated on first start), waiting up to `startWaitMs` for a PostgreSQL
 * server that is not up yet, and closes it when the app closes. Statements that cannot reach the
 * database fail as `DatabaseUnavailableError` (503, `Retry-After`), tracked as outages.
 */
export function sqlDatabasePlugin<Opened extends { close: () => Promise<void> }> (spec: SqlDatabaseSpec<Opened>) {
  return fp(async function sqlDatabase (app: FastifyInstance, options: SqlDatabasePluginOptions) {
    const { connectTimeoutMs, startWaitMs, registry, ...location } = options
    const log = app.log.child({ component: 'database' })
    const database = describeDatabase(location, spec.file)
    const outage = trackDatabaseOutages(app, { registry, pingTimeoutMs: connectTimeoutMs })
    const opened = await spec.open(location, {
      log,
      availability: outage,
      connectTimeoutMs,
      // Replicas and PostgreSQL often start together: wait for it, saying so once.
      waitMs: startWaitMs,
      onWaiting: (error) => log.info({ database, reason: (error as { code?: string }).code ?? error.message },
        `database not reachable yet; retrying every second for ${startWaitMs / 1000} s`)
    })
    log.info({ database }, 'database ready')
    spec.decorate(app, opened, outage)
    // onClose hooks run last-registered first: everything that uses the database has stopped by now.
    app.addHook('onClose', async () => opened.close())
  }, { name: spec.name })
}
