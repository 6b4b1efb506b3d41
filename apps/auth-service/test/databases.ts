import { inject, onTestFinished } from 'vitest'
import type { DatabaseLocation, SqlDatabase } from '@repo/service-kit/sql'
import type {} from '@repo/service-harness/postgres-global-setup'
import { createTestDatabase } from '@repo/service-harness/postgres-server'
import { openAuthDatabase } from '../src/db/open-auth-database.js'
import { tempDataDir } from './helper.js'
import { TEST_KEK } from './test-custody.js'

/** The engines behind the data-access seam: the store tests run on both. */
export const ENGINES = ['sqlite', 'postgres'] as const
export type Engine = typeof ENGINES[number]

/** Where a new, empty database of `engine` is, for one test: a temporary DATA_DIR or a new PostgreSQL database. */
export async function freshLocation (engine: Engine): Promise<DatabaseLocation> {
  if (engine === 'sqlite') return { dataDir: await tempDataDir() }
  return { dataDir: '/nonexistent', databaseUrl: await createTestDatabase(inject('postgresAdminUrl')) }
}

/**
 * Opens the auth database at `location` (a connection of its own, as another process would have),
 * closed when the test ends.
 */
export async function openTestDatabase (location: DatabaseLocation): Promise<SqlDatabase> {
  const db = await openAuthDatabase(location)
  onTestFinished(() => db.close())
  return db
}

/**
 * The config variables that put an app on `location`, with the secrets every test process on it
 * shares (`testCustody` opens what it seals).
 */
export const databaseEnv = (location: DatabaseLocation): Record<string, string> => ({
  ...location.databaseUrl ? { DATABASE_URL: location.databaseUrl } : { DATA_DIR: location.dataDir },
  KEY_ENCRYPTION_KEYS: TEST_KEK
})

/**
 * The variables that put an app on a new, empty database of `engine`: none for SQLite (the app
 * helpers give every app a temporary DATA_DIR, where it generates its secret), a new DATABASE_URL
 * and the test secrets for PostgreSQL. Usable in
 * `beforeAll`, unlike `freshLocation`.
 */
export async function engineEnv (engine: Engine): Promise<Record<string, string>> {
  if (engine === 'sqlite') return {}
  return { DATABASE_URL: await createTestDatabase(inject('postgresAdminUrl')), KEY_ENCRYPTION_KEYS: TEST_KEK }
}
