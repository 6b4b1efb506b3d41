import { openSqlDatabase, type SqlQueryable } from '@repo/service-kit/sql'
import { sqlDatabasePlugin } from '@repo/service-kit/sql-database-plugin'
import { CONSUMER_MIGRATIONS, DATABASE_FILE } from '../database/consumer-migrations.js'
import { ReportStore } from '../reports/report-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    reports: ReportStore
    /** The database itself, for the DPoP replay cache that replicas share (auth/dpop-proofs.ts). */
    database: SqlQueryable
  }
}

/**
 * The consumer's database (reports, and the DPoP proofs seen), closed when the app closes. While
 * PostgreSQL is away the report routes answer 503 with `Retry-After`; readiness does not follow it:
 * verifying bearer tokens, the rest of the API, needs no database.
 */
export const databasePlugin = sqlDatabasePlugin({
  name: 'database',
  file: DATABASE_FILE,
  open: (location, options) => openSqlDatabase(location, DATABASE_FILE, CONSUMER_MIGRATIONS, options),
  decorate: (app, db) => {
    app.decorate('database', db)
    app.decorate('reports', new ReportStore(db))
  }
})
