import type { DatabaseSync } from 'node:sqlite'
import { openDatabase } from '@repo/service-kit/sqlite'
import { MIGRATIONS } from './schema.js'

export const DATABASE_FILE = 'auth.db'

/** The auth service's database: users and signing keys (private halves included, hence 0600). */
export function openAuthDatabase (dataDir: string): DatabaseSync {
  return openDatabase(dataDir, DATABASE_FILE, MIGRATIONS)
}
