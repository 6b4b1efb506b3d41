import type { DatabaseUnavailableError } from './unavailable.js'

/** A value a query binds: what both SQLite and PostgreSQL store the same way. */
export type SqlValue = string | number | null

/**
 * Runs SQL written once for both engines: `$1`, `$2`… placeholders, standard SQL
 * (`ON CONFLICT`, `RETURNING`, `lower()`), times as integer milliseconds, JSON as text.
 */
export interface SqlQueryable {
  /** Every row the statement returns. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>
  /** The first row, if any. */
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>
}

export type SqlDialect = 'sqlite' | 'postgres'

/**
 * One service's database, whichever engine holds it: the seam between the stores and the engine.
 * SQLite (a file under DATA_DIR) for one machine, PostgreSQL (DATABASE_URL) for replicas.
 */
export interface SqlDatabase extends SqlQueryable {
  readonly dialect: SqlDialect
  /**
   * Runs `work` in one transaction, serialised with every other transaction on `lock` in every
   * process on this database; re-check state inside it before changing it. PostgreSQL takes a
   * transaction-scoped advisory lock named by `lock`; SQLite has one write lock for the whole
   * file, so there every transaction waits for every other.
   */
  transaction<T>(lock: string, work: (tx: SqlQueryable) => Promise<T>): Promise<T>
  /**
   * Calls `onChange` whenever some process announces a change on `channel` (PostgreSQL
   * LISTEN/NOTIFY, announced by a trigger). SQLite has no such signal: its `watch` does nothing
   * and the caller's poll finds the change instead.
   */
  watch(channel: string, onChange: () => void): Promise<void>
  close(): Promise<void>
}

/**
 * Told whether statements reach the database: `unavailable` when one could not (the database is
 * away, or its connection was cut), `available` when one did. Called on every statement: keep it cheap.
 */
export interface AvailabilityObserver {
  unavailable: (error: DatabaseUnavailableError) => void
  available: () => void
}

/** Where the seam reports what happens to connections outside any statement (pino's argument order). */
export interface DatabaseLog {
  info: (details: object, message: string) => void
  warn: (details: object, message: string) => void
}

/** The schema of one service, as migrations for each engine: entry N moves the schema from version N to N+1. */
export interface Migrations {
  /** Names this schema's row in the shared `schema_migrations` table (PostgreSQL). */
  component: string
  sqlite: readonly string[]
  postgres: readonly string[]
}
