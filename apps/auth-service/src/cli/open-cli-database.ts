import { DatabaseNotFoundError } from '@repo/service-kit/sqlite'
import {
  DatabaseNotReachableError, describeDatabase, type DatabaseLocation, type SqlDatabase
} from '@repo/service-kit/sql'
import { DATABASE_FILE, openAuthDatabase } from '../db/open-auth-database.js'
import { CliError } from './cli-error.js'

/** `create`: make a missing SQLite file; otherwise refuse, ending with `hint`. */
export interface OpenCliDatabaseOptions {
  create?: boolean
  hint: string
}

/**
 * The auth database for a CLI: the service's own (DATABASE_URL, else DATA_DIR). A SQLite file must
 * exist unless `create` says to make it: a CLI that created a database wherever a mistyped DATA_DIR
 * pointed would add users (or keys) no service ever reads. `hint` ends that refusal: what to do
 * instead. A PostgreSQL server that can't be reached is a one-line refusal too.
 */
export async function openCliDatabase (location: DatabaseLocation, { create = false, hint }: OpenCliDatabaseOptions):
Promise<SqlDatabase> {
  try {
    return await openAuthDatabase(location, { create })
  } catch (error) {
    if (error instanceof DatabaseNotFoundError) {
      throw new CliError(`no auth database at ${error.path} — check DATA_DIR, ${hint}`)
    }
    if (location.databaseUrl) {
      const reason = error instanceof DatabaseNotReachableError
        ? error.reason
        : error instanceof Error ? error.message : String(error)
      const database = describeDatabase(location, DATABASE_FILE)
      throw new CliError(`cannot use the database ${database} — check DATABASE_URL (${reason})`)
    }
    throw error
  }
}
