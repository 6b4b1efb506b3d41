import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { AvailabilityObserver, SqlQueryable } from './sql/database.js'
import { DatabaseUnavailableError, isDatabaseUnavailable } from './sql/unavailable.js'

export interface DatabaseOutageOptions {
  log: FastifyBaseLogger
  /** The app's own registry, for `database_up` and the counters. */
  registry: Registry
  /** The bound of a readiness ping: the pool's connection timeout. */
  pingTimeoutMs: number
  /** Milliseconds since the epoch. */
  now?: () => number
  /** A statement that succeeded this recently vouches for the database: readiness does not ping. */
  freshMs?: number
}

interface Outage {
  since: number
  reason: string
  refused: number
}

const DEFAULT_FRESH_MS = 1000

/**
 * Whether the database is reachable, as the statements find it: an outage starts with the first
 * statement that could not reach it and ends with the first that did. Logged twice per outage, not
 * per request: an info line when it starts, and one warning when it ends with its start, end and
 * how many requests were refused. Metrics: `database_up`, `database_outages_total`,
 * `database_unavailable_responses_total`.
 */
export class DatabaseOutage implements AvailabilityObserver {
  readonly #log: FastifyBaseLogger
  readonly #now: () => number
  readonly #pingTimeoutMs: number
  readonly #freshMs: number
  readonly #up: Gauge
  readonly #outages: Counter
  readonly #refused: Counter
  #outage: Outage | undefined
  #lastSuccess = Number.NEGATIVE_INFINITY
  #ping: Promise<string | undefined> | undefined

  constructor ({ log, registry, pingTimeoutMs, now = Date.now, freshMs = DEFAULT_FRESH_MS }: DatabaseOutageOptions) {
    this.#log = log
    this.#now = now
    this.#pingTimeoutMs = pingTimeoutMs
    this.#freshMs = freshMs
    const registers = [registry]
    this.#up = new Gauge({
      name: 'database_up', help: '1 while statements reach the database, 0 during an outage', registers
    })
    this.#up.set(1)
    this.#outages = new Counter({
      name: 'database_outages_total', help: 'Times the database became unreachable', registers
    })
    this.#refused = new Counter({
      name: 'database_unavailable_responses_total',
      help: 'Requests answered 503 because the database was unreachable',
      registers
    })
  }

  /** Undefined while statements reach the database; else since when and why not. */
  get current (): Readonly<Outage> | undefined {
    return this.#outage
  }

  unavailable (error: DatabaseUnavailableError): void {
    if (this.#outage) return
    this.#outage = { since: this.#now(), reason: error.reason, refused: 0 }
    this.#up.set(0)
    this.#outages.inc()
    this.#log.info({ reason: error.reason },
      'database unreachable: requests that need it are answered 503 until it is back')
  }

  available (): void {
    const at = this.#now()
    this.#lastSuccess = at
    const outage = this.#outage
    if (!outage) return
    this.#outage = undefined
    this.#up.set(1)
    this.#log.warn({
      event: 'database_outage',
      startedAt: new Date(outage.since).toISOString(),
      endedAt: new Date(at).toISOString(),
      durationMs: at - outage.since,
      refusedRequests: outage.refused,
      reason: outage.reason
    }, 'database was unreachable; serving again')
  }

  /** A request answered 503 because of `error`. */
  refused (error: DatabaseUnavailableError): void {
    this.unavailable(error)
    if (this.#outage) this.#outage.refused++
    this.#refused.inc()
  }

  /**
   * Why the service is not ready, or undefined when it is. Cheap under traffic: a statement that
   * succeeded within `freshMs` answers for the database. Otherwise one `SELECT 1` (shared by
   * every probe meanwhile) bounded by `pingTimeoutMs`.
   */
  async notReadyReason (db: SqlQueryable): Promise<string | undefined> {
    if (!this.#outage && this.#now() - this.#lastSuccess < this.#freshMs) return undefined
    this.#ping ??= this.#pingOnce(db).finally(() => { this.#ping = undefined })
    return this.#ping
  }

  async #pingOnce (db: SqlQueryable): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new DatabaseUnavailableError('ping_timeout')), this.#pingTimeoutMs)
    })
    try {
      await Promise.race([db.get('SELECT 1'), timeout])
      // SQLite's statements do not report to the observer: a successful ping does, for both engines.
      this.available()
      return undefined
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        this.unavailable(error)
        return `database unreachable (${error.reason})`
      }
      return `database check failed (${(error as { code?: string }).code ?? 'error'})`
    } finally {
      clearTimeout(timer)
    }
  }
}

/**
 * A `DatabaseOutage` for `app`, with the `onError` hook that counts each request refused because
 * the database is away. Call it from a `fastify-plugin` (the hook must reach every route).
 */
export function trackDatabaseOutages (
  app: FastifyInstance, options: Omit<DatabaseOutageOptions, 'log'>
): DatabaseOutage {
  const outage = new DatabaseOutage({ ...options, log: app.log.child({ component: 'database' }) })
  app.addHook('onError', (_request, _reply, error, done) => {
    if (isDatabaseUnavailable(error)) outage.refused(error)
    done()
  })
  return outage
}
