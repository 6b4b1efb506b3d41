import type { Report } from '@repo/contracts/reports'
import {
  openSqlDatabase, type DatabaseLocation, type OpenSqlDatabaseOptions, type SqlDatabase
} from '@repo/service-kit/sql'
import { CONSUMER_MIGRATIONS, DATABASE_FILE } from '../database/consumer-migrations.js'

interface ReportRow {
  id: number
  title: string
  created_by: string
  created_at: string
}

function fromRow (row: ReportRow): Report {
  return { id: row.id, title: row.title, createdBy: row.created_by, createdAt: row.created_at }
}

/** Reports behind the scope-gated routes: SQLite under the consumer's DATA_DIR, or PostgreSQL at DATABASE_URL. */
export class ReportStore {
  readonly #db: SqlDatabase

  /** The store over an open database (migrated with CONSUMER_MIGRATIONS); closing the store closes it. */
  constructor (db: SqlDatabase) {
    this.#db = db
  }

  static async open (location: DatabaseLocation, options?: OpenSqlDatabaseOptions): Promise<ReportStore> {
    return new ReportStore(await openSqlDatabase(location, DATABASE_FILE, CONSUMER_MIGRATIONS, options))
  }

  async create (title: string, createdBy: string, now: Date): Promise<Report> {
    const row = await this.#db.get<ReportRow>(
      'INSERT INTO reports (title, created_by, created_at) VALUES ($1, $2, $3) RETURNING *',
      [title, createdBy, now.toISOString()])
    return fromRow(row as ReportRow)
  }

  async latest (limit: number): Promise<Report[]> {
    const rows = await this.#db.all<ReportRow>('SELECT * FROM reports ORDER BY id DESC LIMIT $1', [limit])
    return rows.map(fromRow)
  }

  close (): Promise<void> {
    return this.#db.close()
  }
}
