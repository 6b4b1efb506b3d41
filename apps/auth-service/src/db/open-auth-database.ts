import type { DatabaseSync } from 'node:sqlite'
import { openDatabase, type OpenDatabaseOptions } from '@repo/service-kit/sqlite'
import { MIGRATIONS } from './schema.js'

export const DATABASE_FILE = 'auth.db'

/**
 * The auth service's database: users and signing keys (private halves included, hence 0600).
 * Created on first use unless `{ create: false }`, which throws `DatabaseNotFoundError` instead.
 */
export function openAuthDatabase (dataDir: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  return openDatabase(dataDir, DATABASE_FILE, MIGRATIONS, options)
}
