import { closeSync, chmodSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

/**
 * Opens (creating if needed) the SQLite database `fileName` under `dataDir` and brings its schema
 * up to date. The directory is 0700 and the file 0600 before SQLite writes anything into it:
 * these files may hold private keys.
 */
export function openDatabase (dataDir: string, fileName: string, migrations: readonly string[]): DatabaseSync {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, fileName)
  closeSync(openSync(file, 'a', 0o600))
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
