import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { describeDatabase, type DatabaseLocation, type SqlDatabase } from '@repo/service-kit/sql'
import { DATABASE_FILE, openAuthDatabase } from '../db/open-auth-database.js'

const DATABASE_START_WAIT_MS = 30_000

declare module 'fastify' {
  interface FastifyInstance {
    /** The auth database: users, signing keys, clients and refresh tokens (SQLite or PostgreSQL). */
    db: SqlDatabase
  }
}

/**
 * Opens the auth database (creating and migrating it on first start) and closes it when the app
 * closes: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR.
 */
export const databasePlugin = fp(async function database (app: FastifyInstance, location: DatabaseLocation) {
  const log = app.log.child({ component: 'database' })
  const db = await openAuthDatabase(location, {
    onError: (error, what) => log.warn({ err: error }, what),
    // Replicas and PostgreSQL often start together: wait for it, saying so once.
    waitMs: DATABASE_START_WAIT_MS,
    onWaiting: (error) => log.info({ database: describeDatabase(location, DATABASE_FILE), reason: error.message }, `database not reachable yet; retrying every second for ${DATABASE_START_WAIT_MS / 1000} s`)
  })
  log.info({ database: describeDatabase(location, DATABASE_FILE) }, 'database ready')
  app.decorate('db', db)
  // onClose hooks run last-registered first: everything that uses the database has stopped by now.
  app.addHook('onClose', async () => db.close())
}, { name: 'database' })
