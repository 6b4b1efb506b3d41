import { sqlDatabasePlugin } from '@repo/service-kit/sql-database-plugin'
import { DATABASE_FILE, ReportStore } from '../reports/report-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    reports: ReportStore
  }
}

/**
 * The reports database, closed when the app closes. While PostgreSQL is away the report routes
 * answer 503 with `Retry-After`; readiness does not follow it: verifying tokens, the rest of the
 * API, needs no database.
 */
export const reportStorePlugin = sqlDatabasePlugin({
  name: 'report-store',
  file: DATABASE_FILE,
  open: (location, options) => ReportStore.open(location, options),
  decorate: (app, reports) => app.decorate('reports', reports)
})
