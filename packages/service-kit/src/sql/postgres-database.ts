import pg from 'pg'
import type { AvailabilityObserver, DatabaseLog, SqlDatabase, SqlQueryable, SqlValue } from './database.js'
import type { ConnectOptions } from './postgres-connect.js'
import { migratePostgres } from './postgres-migrate.js'
import { asConnectFailure, asUnavailable, isDatabaseUnavailable } from './unavailable.js'

const INT8_OID = 20
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/
/** How long a lost LISTEN connection waits before it tries again (the caller's poll covers the gap). */
const RELISTEN_DELAY_MS = 1000
/** pg's default is no limit: a query would wait for a connection as long as the database is away. */
const DEFAULT_CONNECT_TIMEOUT_MS = 5000

/**
 * Times are milliseconds in BIGINT columns and counts come back as BIGINT: both fit a double
 * exactly, so they are read as numbers, as SQLite returns them.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? Number
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
}

function queryable (client: pg.PoolClient): SqlQueryable {
  const query = (sql: string, params: readonly SqlValue[]) => client.query(sql, [...params])
  return {
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows as Row[],
    get: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await query(sql, params)).rows[0] as Row | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rowCount ?? 0
  }
}

export interface PostgresOptions extends ConnectOptions {
  /** Where connection trouble outside a statement (idle connections, LISTEN) is reported. */
  log?: DatabaseLog
  /** Most connections the pool opens (pg's default: 10). */
  maxConnections?: number
  /** Told of each statement whether it reached the database. */
  availability?: AvailabilityObserver
}

const NO_LOG: DatabaseLog = { info: () => {}, warn: () => {} }
const NO_OBSERVER: AvailabilityObserver = { unavailable: () => {}, available: () => {} }

class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const
  readonly #pool: pg.Pool
  readonly #url: string
  readonly #log: DatabaseLog
  readonly #availability: AvailabilityObserver
  readonly #connectTimeoutMs: number
  readonly #listeners = new Map<string, Array<() => void>>()
  #listener: pg.Client | undefined
  #relisten: NodeJS.Timeout | undefined
  #closed = false

  constructor (url: string, options: PostgresOptions) {
    const { log = NO_LOG, maxConnections, availability = NO_OBSERVER } = options
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    this.#url = url
    this.#log = log
    this.#availability = availability
    this.#connectTimeoutMs = connectTimeoutMs
    // connectionTimeoutMillis bounds both a new connection and the wait for a free one: requests do
    // not pile up behind a database that is away. keepAlive finds a peer that vanished without a word.
    this.#pool = new pg.Pool({
      connectionString: url, types, max: maxConnections, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true
    })
    // An idle connection the server dropped: the pool discards it (without a listener it would crash
    // the process) and opens another when one is needed. Only the statements say whether the database is away.
    this.#pool.on('error', (error) => {
      if (isDatabaseUnavailable(asUnavailable(error, true))) return
      log.warn({ err: error }, 'idle database connection failed')
    })
  }

  /**
   * Runs `work` on a pooled connection. A failure to reach the database, or a connection cut while
   * `work` ran, becomes a `DatabaseUnavailableError`; the observer hears of every outcome.
   */
  async #withClient<T>(work: (client: pg.PoolClient) => Promise<T>, broken?: (error: unknown) => unknown): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.#pool.connect()
    } catch (error) {
      throw this.#failed(asConnectFailure(error))
    }
    let lost: Error | undefined
    const onLost = (error: Error) => { lost = error }
    client.on('error', onLost)
    let discard: unknown
    try {
      const result = await work(client)
      this.#availability.available()
      return result
    } catch (error) {
      discard = broken?.(error)
      throw this.#failed(asUnavailable(error, lost !== undefined))
    } finally {
      client.off('error', onLost)
      // A connection that failed is closed, not handed to the next statement.
      client.release((lost ?? discard) as Error | undefined)
    }
  }

  #failed (error: unknown): unknown {
    if (isDatabaseUnavailable(error)) this.#availability.unavailable(error)
    return error
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.#withClient((client) => queryable(client).all<Row>(sql, params))
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.#withClient((client) => queryable(client).get<Row>(sql, params))
  }

  run (sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#withClient((client) => queryable(client).run(sql, params))
  }

  async transaction<T>(lock: string, work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    let rollbackFailed: Error | undefined
    return this.#withClient(async (client) => {
      await client.query('BEGIN')
      try {
        // Held until COMMIT/ROLLBACK. READ COMMITTED: every statement after it sees what the previous holder committed.
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lock])
        const result = await work(queryable(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        // A cut connection has rolled back on the server already; this ROLLBACK then fails and the
        // connection is dropped.
        await client.query('ROLLBACK').catch((failure: Error) => { rollbackFailed = failure })
        throw error
      }
    }, () => rollbackFailed)
  }

  async watch (channel: string, onChange: () => void): Promise<void> {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a channel name: ${channel}`)
    const listeners = this.#listeners.get(channel) ?? []
    listeners.push(onChange)
    this.#listeners.set(channel, listeners)
    if (this.#listener) await this.#listener.query(`LISTEN ${channel}`)
    // While the connection is being restored, the next attempt LISTENs on every channel, this one too.
    else if (this.#relisten === undefined) await this.#listen()
  }

  /**
   * One connection LISTENs on every watched channel. If it drops, it is tried again every second
   * for as long as it takes, saying so once; once back, every watcher is called, since a change
   * announced while it was away was missed. `lostSince`: when the connection it replaces was lost.
   */
  async #listen (lostSince?: number): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#url, types, connectionTimeoutMillis: this.#connectTimeoutMs, keepAlive: true
    })
    let established = false
    const lose = (error: Error) => {
      if (this.#closed || this.#listener !== client) return
      this.#listener = undefined
      client.end().catch(() => {})
      if (established) {
        const unavailable = asUnavailable(error, true)
        const lostLine = 'database change notifications lost; reconnecting'
        if (isDatabaseUnavailable(unavailable)) this.#log.info({ reason: unavailable.reason }, lostLine)
        else this.#log.warn({ err: error }, lostLine)
      }
      const since = established ? Date.now() : lostSince as number
      this.#relisten = setTimeout(() => {
        this.#relisten = undefined
        this.#listen(since).catch(() => {})
      }, RELISTEN_DELAY_MS).unref()
    }
    this.#listener = client
    client.on('error', lose)
    try {
      await client.connect()
      for (const channel of this.#listeners.keys()) await client.query(`LISTEN ${channel}`)
    } catch (error) {
      // The first connection fails the caller's start-up; a restoring one tries again.
      if (lostSince === undefined) {
        this.#listener = undefined
        await client.end().catch(() => {})
      } else lose(error as Error)
      throw error
    }
    established = true
    client.on('notification', ({ channel }) => {
      for (const listener of this.#listeners.get(channel) ?? []) listener()
    })
    if (lostSince !== undefined) {
      this.#log.info({ lostForMs: Date.now() - lostSince }, 'database change notifications restored')
      for (const listeners of this.#listeners.values()) for (const listener of listeners) listener()
    }
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#relisten)
    await this.#listener?.end().catch(() => {})
    await this.#pool.end()
  }
}

/** Connects to DATABASE_URL and brings `component`'s schema up to date (once, however many replicas start together). */
export async function openPostgresDatabase (
  url: string,
  component: string,
  migrations: readonly string[],
  options: PostgresOptions = {}
): Promise<SqlDatabase> {
  const db = new PostgresDatabase(url, options)
  try {
    await migratePostgres(url, component, migrations, options)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
