export type {
  AvailabilityObserver, DatabaseLog, Migrations, SqlDatabase, SqlDialect, SqlQueryable, SqlValue
} from './database.js'
export { checkDatabaseUrl, redactDatabaseUrl } from './database-url.js'
export {
  describeDatabase,
  openSqlDatabase,
  type DatabaseLocation,
  type OpenSqlDatabaseOptions
} from './open-sql-database.js'
export { DatabaseNotReachableError } from './postgres-connect.js'
export {
  DATABASE_RETRY_AFTER_SECONDS, DatabaseUnavailableError, isDatabaseUnavailable, unreachableCode
} from './unavailable.js'
