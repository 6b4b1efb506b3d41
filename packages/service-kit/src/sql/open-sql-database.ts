import type { OpenDatabaseOptions } from '../sqlite.js'
import type { Migrations, SqlDatabase } from './database.js'
import { describePostgresUrl } from './postgres-connect.js'
import { openPostgresDatabase, type PostgresOptions } from './postgres-database.js'
import { openSqliteDatabase } from './sqlite-database.js'

export interface DatabaseLocation {
  /** `postgres://…`: PostgreSQL. Without it, SQLite... */
  databaseUrl?: string | undefined
  /** ...in this directory. */
  dataDir: string
}

export interface OpenSqlDatabaseOptions extends OpenDatabaseOptions, PostgresOptions {}

/**
 * The service's database where its configuration says: PostgreSQL when DATABASE_URL is set,
 * otherwise the SQLite file `fileName` under DATA_DIR. Either way migrated to the latest version.
 */
export async function openSqlDatabase (
  location: DatabaseLocation,
  fileName: string,
  migrations: Migrations,
  options: OpenSqlDatabaseOptions = {}
): Promise<SqlDatabase> {
  if (location.databaseUrl) {
    return openPostgresDatabase(location.databaseUrl, migrations.component, migrations.postgres, options)
  }
  return openSqliteDatabase(location.dataDir, fileName, migrations.sqlite, options)
}

/** `postgres://user:secret@host/db` → `postgres://user@host/db`: a database URL fit for a log line. */
export function describeDatabase ({ databaseUrl, dataDir }: DatabaseLocation, fileName: string): string {
  if (!databaseUrl) return `sqlite:${dataDir.replace(/\/$/, '')}/${fileName}`
  return describePostgresUrl(databaseUrl)
}
