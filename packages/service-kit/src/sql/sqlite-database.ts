import { resolve } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { openDatabase, type OpenDatabaseOptions } from '../sqlite.js'
import type { SqlDatabase, SqlQueryable, SqlValue } from './database.js'

/** `$1` → `?1`: SQLite's numbered parameter, which binds exactly like PostgreSQL's. */
const toSqlitePlaceholders = (sql: string) => sql.replace(/\$(\d+)/g, '?$1')

/**
 * This process's traffic on one database file, whatever number of connections it has open there.
 * SQLite waits for another connection's lock by blocking the thread; if that connection belongs to
 * this process and is awaiting something, it can never finish. So within a process, transactions
 * on a file queue one behind the other, and no statement runs while one is open.
 */
interface FileGate {
  /** Settles when the transaction under way (if any) and all queued behind it have ended. */
  transactions: Promise<unknown>
  inTransaction: boolean
}

const gates = new Map<string, FileGate>()

function gateOf (file: string): FileGate {
  let gate = gates.get(file)
  if (!gate) {
    gate = { transactions: Promise.resolve(), inTransaction: false }
    gates.set(file, gate)
  }
  return gate
}

/**
 * SQLite behind the async seam. The engine is synchronous and a transaction's work awaits, so the
 * file's gate keeps every other statement of this process out until the transaction ends. Across
 * processes, `BEGIN IMMEDIATE` takes the file's write lock up front.
 */
class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const
  readonly #db: DatabaseSync
  readonly #statements = new Map<string, StatementSync>()
  readonly #gate: FileGate
  readonly #direct: SqlQueryable
  #closed = false

  constructor (db: DatabaseSync, file: string) {
    this.#db = db
    this.#gate = gateOf(file)
    this.#direct = {
      all: async <Row>(sql: string, params: readonly SqlValue[] = []) => this.#statement(sql).all(...params) as Row[],
      get: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
        this.#statement(sql).get(...params) as Row | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => Number(this.#statement(sql).run(...params).changes)
    }
  }

  #statement (sql: string): StatementSync {
    let statement = this.#statements.get(sql)
    if (!statement) {
      statement = this.#db.prepare(toSqlitePlaceholders(sql))
      this.#statements.set(sql, statement)
    }
    return statement
  }

  /**
   * Statements outside a transaction wait while one is open, and then run in the same synchronous
   * step as that check: nothing can begin a transaction in between.
   */
  async all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    while (this.#gate.inTransaction) await this.#gate.transactions
    return this.#direct.all<Row>(sql, params)
  }

  async get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    while (this.#gate.inTransaction) await this.#gate.transactions
    return this.#direct.get<Row>(sql, params)
  }

  async run (sql: string, params?: readonly SqlValue[]): Promise<number> {
    while (this.#gate.inTransaction) await this.#gate.transactions
    return this.#direct.run(sql, params)
  }

  transaction<T>(_lock: string, work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const run = async () => {
      this.#db.exec('BEGIN IMMEDIATE')
      this.#gate.inTransaction = true
      try {
        const result = await work(this.#direct)
        this.#db.exec('COMMIT')
        return result
      } catch (error) {
        this.#db.exec('ROLLBACK')
        throw error
      } finally {
        this.#gate.inTransaction = false
      }
    }
    const result = this.#gate.transactions.then(run, run)
    this.#gate.transactions = result.catch(() => undefined)
    return result
  }

  async watch (): Promise<void> {}

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#gate.transactions
    this.#db.close()
  }
}

/** Opens (creating if allowed) `fileName` under `dataDir`, migrated to the latest version, behind the seam. */
export function openSqliteDatabase (
  dataDir: string,
  fileName: string,
  migrations: readonly string[],
  options?: OpenDatabaseOptions
): SqlDatabase {
  return new SqliteDatabase(openDatabase(dataDir, fileName, migrations, options), resolve(dataDir, fileName))
}
