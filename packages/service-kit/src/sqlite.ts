import { closeSync, chmodSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export interface OpenDatabaseOptions {
  /**
   * Create the directory and the file when they don't exist (the default: a service creates its
   * database on first start). A CLI passes `false`, so a mistyped DATA_DIR is an error instead of
   * a new, empty database.
   */
  create?: boolean
}

/** Thrown by `openDatabase(..., { create: false })` when there is no database file; `path` is absolute. */
export class DatabaseNotFoundError extends Error {
  override name = 'DatabaseNotFoundError'
  readonly code = 'DATABASE_NOT_FOUND'
  readonly path: string

  constructor (path: string) {
    super(`no database at ${path}`)
    this.path = path
  }
}

/**
 * Opens (creating if needed and allowed) the SQLite database `fileName` under `dataDir` and brings
 * its schema up to date. The directory is 0700 and the file 0600 before SQLite writes anything into
 * it: these files may hold private keys.
 */
export function openDatabase (
  dataDir: string,
  fileName: string,
  migrations: readonly string[],
  { create = true }: OpenDatabaseOptions = {}
): DatabaseSync {
  const file = resolve(dataDir, fileName)
  if (create) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    closeSync(openSync(file, 'a', 0o600))
  } else if (!existsSync(file)) {
    // SQLite would create it on open; node:sqlite has no flag to stop that short of read-only.
    throw new DatabaseNotFoundError(file)
  }
  chmodSync(file, 0o600)
  // Several processes may share a DATA_DIR: wait for a lock instead of failing with SQLITE_BUSY.
  const db = new DatabaseSync(file, { timeout: 5000 })
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;')
  migrate(db, migrations)
  return db
}

/** Each migration moves the schema one version up; `PRAGMA user_version` records how far a file has come. */
export function migrate (db: DatabaseSync, migrations: readonly string[]): void {
  inWriteTransaction(db, () => {
    const row = db.prepare('PRAGMA user_version').get() as { user_version: number }
    for (let version = row.user_version; version < migrations.length; version++) {
      db.exec(migrations[version] as string)
      db.exec(`PRAGMA user_version = ${version + 1}`)
    }
  })
}

/** Runs `work` in a write transaction taken up front, so concurrent processes queue instead of deadlocking. */
export function inWriteTransaction<T> (db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = work()
    db.exec('COMMIT')
    return result
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  }
}
