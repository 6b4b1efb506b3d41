import {
  openSqlDatabase,
  type DatabaseLocation,
  type OpenSqlDatabaseOptions,
  type SqlDatabase
} from '@repo/service-kit/sql'
import { AUTH_MIGRATIONS } from './schema.js'

export const DATABASE_FILE = 'auth.db'

/**
 * The auth database: users, signing keys (private halves included), clients and refresh tokens.
 * PostgreSQL when `databaseUrl` is set; otherwise SQLite under `dataDir` (0600), created on first
 * use unless `{ create: false }`, which throws `DatabaseNotFoundError` instead.
 */
export function openAuthDatabase (
  location: DatabaseLocation,
  options: OpenSqlDatabaseOptions = {}
): Promise<SqlDatabase> {
  return openSqlDatabase(location, DATABASE_FILE, AUTH_MIGRATIONS, options)
}
