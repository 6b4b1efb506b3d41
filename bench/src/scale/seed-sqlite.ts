import { closeSync, fsyncSync, openSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { join } from 'node:path'
import { refreshRow, sessionRow, userRow, type SeedTimes } from './seed-rows.js'

/** The auth service's SQLite file in its DATA_DIR (db/open-auth-database.ts). */
const DATABASE_FILE = 'auth.db'

export interface SeedStep {
  salt: string
  /** Rows already there (0 at first), per table. */
  from: number
  /** Rows each of users, refresh_tokens and browser_sessions holds after the step. */
  to: number
  passwordHash: string
  times: SeedTimes
}

/**
 * Fills the three tables from `from` to `to` rows, in one transaction through prepared statements,
 * into the schema the service migrated (it runs meanwhile: WAL lets it read), then checkpoints, as a
 * database that grew over months would be. users first: the other rows name users by index below `to`.
 */
export function seedSqlite (dataDir: string, { salt, from, to, passwordHash, times }: SeedStep): void {
  const db = new DatabaseSync(join(dataDir, DATABASE_FILE))
  try {
    // This connection only: a page cache that holds the indexes the random keys land in (the default
    // 2 MiB makes every insert a read), and no sync per commit for a bulk load.
    db.exec('PRAGMA busy_timeout = 10000; PRAGMA cache_size = -262144; PRAGMA synchronous = OFF')
    const user = db.prepare('INSERT INTO users (id, user_name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)')
    const session = db.prepare(`INSERT INTO browser_sessions
      (id_hash, sid, user_id, auth_time, last_seen_at, idle_expires_at, expires_at, ended_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    const refresh = db.prepare(`INSERT INTO refresh_tokens
      (token_hash, family_id, user_id, client_id, scope, issued_at, idle_expires_at, expires_at, used_at, revoked_at,
       session_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    db.exec('BEGIN IMMEDIATE')
    try {
      for (let i = from; i < to; i++) user.run(...userRow(salt, i, passwordHash, times))
      for (let j = from; j < to; j++) session.run(...sessionRow(salt, j, to, times))
      for (let i = from; i < to; i++) refresh.run(...refreshRow(salt, i, to, to, times))
      db.exec('COMMIT')
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
    // The step's pages are in the WAL (more than the file itself): copied back now, or the service's
    // next write would checkpoint them all in the middle of a measurement, a stall of seconds.
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
  // synchronous = OFF left the step in the OS's dirty pages: written out now, or the service's first
  // checkpoint (synchronous = NORMAL syncs the file) would wait for all of them, mid-measurement.
  const fd = openSync(join(dataDir, DATABASE_FILE), 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Rows per table, for the report and the retention samples. */
export function countSqlite (dataDir: string, tables: readonly string[]): Record<string, number> {
  const db = new DatabaseSync(join(dataDir, DATABASE_FILE), { readOnly: true })
  try {
    db.exec('PRAGMA busy_timeout = 10000')
    return Object.fromEntries(tables.map((table) =>
      [table, Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n)]))
  } finally {
    db.close()
  }
}
