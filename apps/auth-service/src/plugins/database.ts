import type { DatabaseOutage } from '@repo/service-kit/database-outage'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { sqlDatabasePlugin } from '@repo/service-kit/sql-database-plugin'
import { DATABASE_FILE, openAuthDatabase } from '../db/open-auth-database.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The auth database: users, signing keys, clients and refresh tokens (SQLite or PostgreSQL). */
    db: SqlDatabase
    /** Whether statements reach `db`; `/health/ready` asks it. */
    dbOutage: DatabaseOutage
  }
}

/**
 * The auth database (created and migrated on first start), closed when the app closes. While
 * PostgreSQL is away, readiness follows it: logins and token requests need it.
 */
export const databasePlugin = sqlDatabasePlugin({
  name: 'database',
  file: DATABASE_FILE,
  open: openAuthDatabase,
  decorate (app, db, outage) {
    app.decorate('db', db)
    app.decorate('dbOutage', outage)
  }
})
