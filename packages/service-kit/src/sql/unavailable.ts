/**
 * Node's codes for a connection that could not be made or was cut: nothing listening, reset, timed
 * out, no route, a name that does not resolve (yet).
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT',
  'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN'
])

/**
 * SQLSTATEs of a server that is going or not there yet: 57P01 admin_shutdown (`pg_ctl stop`,
 * `pg_terminate_backend`), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting or stopping),
 * 53300 too_many_connections (it cannot take one more for now). Class 08 (connection exception) too.
 */
const SERVER_GONE_CODES = new Set(['57P01', '57P02', '57P03', '53300'])
const CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/

/** How long a client is told to wait (`Retry-After`) before it tries again. */
export const DATABASE_RETRY_AFTER_SECONDS = 2

/**
 * The reason (the error's `code`) when `error` means the database could not be reached or the
 * connection was cut, else undefined: a constraint violation, a syntax error, a wrong password stay
 * what they are. Told apart by `code` only (pg's messages are not an interface).
 */
export function unreachableCode (error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  return SOCKET_CODES.has(code) || SERVER_GONE_CODES.has(code) || CONNECTION_EXCEPTION.test(code) ? code : undefined
}

/**
 * A statement that failed because the database was away: it could not be reached, no connection
 * came within the pool's connection timeout, or the connection was cut mid-statement (whatever was
 * in its transaction rolled back). `reason` is the driver's code (`ECONNREFUSED`, `57P01`…) or
 * `connect_timeout` / `connection_lost` for what pg reports without one. Answered 503 with
 * `Retry-After`, never logged with a stack: the outage is logged once (database-outage.ts).
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError'
  readonly code = 'DATABASE_UNAVAILABLE'
  readonly statusCode = 503
  readonly reason: string
  readonly headers = { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) }

  constructor (reason: string, cause?: unknown) {
    super(`database unavailable (${reason})`, { cause })
    this.reason = reason
  }
}

export function isDatabaseUnavailable (error: unknown): error is DatabaseUnavailableError {
  return (error as { code?: unknown } | null)?.code === 'DATABASE_UNAVAILABLE'
}

/**
 * What a failed statement becomes. `connectionLost`: the connection emitted an error while the
 * statement ran (pg then fails it with a code-less "terminated unexpectedly").
 */
export function asUnavailable (error: unknown, connectionLost: boolean): unknown {
  if (isDatabaseUnavailable(error)) return error
  const code = unreachableCode(error)
  if (code !== undefined) return new DatabaseUnavailableError(code, error)
  const coded = typeof (error as { code?: unknown } | null)?.code === 'string'
  if (connectionLost && !coded) return new DatabaseUnavailableError('connection_lost', error)
  return error
}

/** What a failed attempt to get a connection becomes: pg's pool and connect timeouts carry no code. */
export function asConnectFailure (error: unknown): unknown {
  const coded = typeof (error as { code?: unknown } | null)?.code === 'string'
  if (!coded) return new DatabaseUnavailableError('connect_timeout', error)
  return asUnavailable(error, false)
}
