import pg from 'pg'
import type { SqlDatabase, SqlQueryable, SqlValue } from './database.js'
import type { ConnectOptions } from './postgres-connect.js'
import { migratePostgres } from './postgres-migrate.js'

const INT8_OID = 20
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/
/** How long a lost LISTEN connection waits before it reconnects (the poll covers the gap). */
const RELISTEN_DELAY_MS = 1000

/**
 * Times are milliseconds in BIGINT columns and counts come back as BIGINT: both fit a double
 * exactly, so they are read as numbers, as SQLite returns them.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
}

function queryable (client: pg.Pool | pg.PoolClient): SqlQueryable {
  return {
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) => (await client.query(sql, [...params])).rows as Row[],
    get: async <Row>(sql: string, params: readonly SqlValue[] = []) => (await client.query(sql, [...params])).rows[0] as Row | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await client.query(sql, [...params])).rowCount ?? 0
  }
}

export interface PostgresOptions extends ConnectOptions {
  /** Where connection problems of idle pooled connections and of LISTEN are reported. */
  onError?: (error: Error, what: string) => void
  /** Most connections the pool opens (pg's default: 10). */
  maxConnections?: number
}

class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const
  readonly #pool: pg.Pool
  readonly #url: string
  readonly #direct: SqlQueryable
  readonly #onError: (error: Error, what: string) => void
  readonly #listeners = new Map<string, Array<() => void>>()
  #listener: pg.Client | undefined
  #relisten: NodeJS.Timeout | undefined
  #closed = false

  constructor (url: string, { onError = () => {}, maxConnections }: PostgresOptions) {
    this.#url = url
    this.#onError = onError
    this.#pool = new pg.Pool({ connectionString: url, types, max: maxConnections })
    // An idle connection the server dropped: the pool discards it; without a listener it would crash the process.
    this.#pool.on('error', (error) => onError(error, 'idle database connection lost'))
    this.#direct = queryable(this.#pool)
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.#direct.all<Row>(sql, params)
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.#direct.get<Row>(sql, params)
  }

  run (sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#direct.run(sql, params)
  }

  async transaction<T>(lock: string, work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect()
    let broken: Error | undefined
    try {
      await client.query('BEGIN')
      // Held until COMMIT/ROLLBACK. READ COMMITTED: every statement after it sees what the previous holder committed.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lock])
      const result = await work(queryable(client))
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError })
      throw error
    } finally {
      client.release(broken)
    }
  }

  async watch (channel: string, onChange: () => void): Promise<void> {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a channel name: ${channel}`)
    const listeners = this.#listeners.get(channel) ?? []
    listeners.push(onChange)
    this.#listeners.set(channel, listeners)
    if (this.#listener) await this.#listener.query(`LISTEN ${channel}`)
    else await this.#listen()
  }

  /** One connection LISTENs on every watched channel; if it drops, it comes back (and the poll covers the gap). */
  async #listen (): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, types })
    const reconnect = (error: Error) => {
      if (this.#closed || this.#listener !== client) return
      this.#onError(error, 'database change notifications lost; reconnecting')
      this.#listener = undefined
      client.end().catch(() => {})
      this.#relisten = setTimeout(() => { this.#listen().catch((e: Error) => reconnect(e)) }, RELISTEN_DELAY_MS).unref()
    }
    this.#listener = client
    client.on('error', reconnect)
    client.on('notification', ({ channel }) => { for (const listener of this.#listeners.get(channel) ?? []) listener() })
    await client.connect()
    for (const channel of this.#listeners.keys()) await client.query(`LISTEN ${channel}`)
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
export async function openPostgresDatabase (url: string, component: string, migrations: readonly string[], options: PostgresOptions = {}): Promise<SqlDatabase> {
  const db = new PostgresDatabase(url, options)
  try {
    await migratePostgres(url, component, migrations, options)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
