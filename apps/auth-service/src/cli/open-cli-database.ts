import type { DatabaseSync } from 'node:sqlite'
import { DatabaseNotFoundError } from '@repo/service-kit/sqlite'
import { openAuthDatabase } from '../db/open-auth-database.js'
import { CliError } from './cli-error.js'

/**
 * The auth database for a CLI: an existing one, unless `create` says to make it. A CLI that created
 * a database wherever a mistyped DATA_DIR pointed would add users (or keys) no service ever reads.
 * `hint` ends the refusal: what to do instead.
 */
export function openCliDatabase (dataDir: string, { create = false, hint }: { create?: boolean, hint: string }): DatabaseSync {
  try {
    return openAuthDatabase(dataDir, { create })
  } catch (error) {
    if (error instanceof DatabaseNotFoundError) throw new CliError(`no auth database at ${error.path} — check DATA_DIR, ${hint}`)
    throw error
  }
}
