import type { DatabaseSync } from 'node:sqlite'
import type { Report } from '@repo/contracts/reports'
import { openDatabase } from '@repo/service-kit/sqlite'

const MIGRATIONS = [
  `CREATE TABLE reports (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     title TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`
]

interface ReportRow {
  id: number
  title: string
  created_by: string
  created_at: string
}

function fromRow (row: ReportRow): Report {
  return { id: row.id, title: row.title, createdBy: row.created_by, createdAt: row.created_at }
}

/** Reports behind the scope-gated routes, in SQLite under the consumer's DATA_DIR. */
export class ReportStore {
  readonly #db: DatabaseSync

  constructor (db: DatabaseSync) {
    this.#db = db
  }

  static open (dataDir: string): ReportStore {
    return new ReportStore(openDatabase(dataDir, 'consumer.db', MIGRATIONS))
  }

  create (title: string, createdBy: string, now: Date): Report {
    const row = this.#db.prepare(
      'INSERT INTO reports (title, created_by, created_at) VALUES (?, ?, ?) RETURNING *'
    ).get(title, createdBy, now.toISOString()) as unknown as ReportRow
    return fromRow(row)
  }

  latest (limit: number): Report[] {
    const rows = this.#db.prepare('SELECT * FROM reports ORDER BY id DESC LIMIT ?').all(limit) as unknown as ReportRow[]
    return rows.map(fromRow)
  }

  close (): void {
    this.#db.close()
  }
}
