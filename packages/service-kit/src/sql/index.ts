export type { Migrations, SqlDatabase, SqlDialect, SqlQueryable, SqlValue } from './database.js'
export { checkDatabaseUrl, redactDatabaseUrl } from './database-url.js'
export { describeDatabase, openSqlDatabase, type DatabaseLocation, type OpenSqlDatabaseOptions } from './open-sql-database.js'
