import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { unreachableCode } from './unavailable.js'

const RETRY_INTERVAL_MS = 1000

export interface ConnectOptions {
  /** How long to keep trying while the server is not up yet (0: once). */
  waitMs?: number
  /** Called once, at the first failed attempt, when it will be retried: the caller's progress line. */
  onWaiting?: (error: Error) => void
  /** How long one attempt may take before it counts as failed (0: pg's default, no limit). */
  connectTimeoutMs?: number
}

/** `postgres://user:secret@host:5432/db?…` → `postgres://user@host:5432/db`: fit for a message or a log line. */
export function describePostgresUrl (url: string): string {
  const parsed = new URL(url)
  parsed.password = ''
  parsed.search = ''
  return parsed.toString()
}

/**
 * The start-up gave up on the database: one line naming it (never its password) and the last
 * reason, for the service to print instead of a stack. `cause` is the driver's error.
 */
export class DatabaseNotReachableError extends Error {
  override name = 'DatabaseNotReachableError'
  readonly code = 'DATABASE_NOT_REACHABLE'
  /** Why, as the message ends with it: `connect ECONNREFUSED 10.0.0.5:5432`, `no answer within 5000 ms`. */
  readonly reason: string

  constructor (database: string, waitedMs: number, reason: string, cause: unknown) {
    const waited = waitedMs > 0 ? ` after ${formatSeconds(waitedMs)}` : ''
    super(`database ${database} not reachable${waited} (${reason})`, { cause })
    this.reason = reason
  }
}

function describeReason (error: unknown): string {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
}

/**
 * A connected client. A server that is not up yet (replicas and the database started together) is
 * retried every second until `waitMs` has passed (the last attempt at that bound, never before,
 * each attempt bounded by `connectTimeoutMs`); then the start-up ends with a `DatabaseNotReachableError`.
 * Any other error (a wrong password, a missing database) fails at once.
 */
export async function connectWhenUp (
  url: string, { waitMs = 0, onWaiting, connectTimeoutMs = 0 }: ConnectOptions = {}
): Promise<pg.Client> {
  const deadline = Date.now() + waitMs
  for (let attempt = 0; ; attempt++) {
    // Each attempt is bounded too: a host that drops packets would otherwise hold the start for minutes.
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs })
    const attemptStarted = Date.now()
    try {
      await client.connect()
      return client
    } catch (error) {
      await client.end().catch(() => {})
      // A code-less failure here is pg's own connection timeout: the server did not answer in time.
      const retryable = unreachableCode(error) !== undefined || typeof (error as { code?: unknown }).code !== 'string'
      if (!retryable) throw error
      const left = deadline - Date.now()
      if (left <= 0) {
        const timedOut = connectTimeoutMs > 0 && Date.now() - attemptStarted >= connectTimeoutMs
        const reason = timedOut ? `no answer within ${connectTimeoutMs} ms` : describeReason(error)
        throw new DatabaseNotReachableError(describePostgresUrl(url), waitMs, reason, error)
      }
      if (attempt === 0) onWaiting?.(error as Error)
      await sleep(Math.min(RETRY_INTERVAL_MS, left))
    }
  }
}

function formatSeconds (ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}
