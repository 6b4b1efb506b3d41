import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

/** Errors that mean "not up yet": nothing listening, a name compose has not registered, a server still starting. */
const NOT_UP_YET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', '57P03'])
const RETRY_INTERVAL_MS = 1000

export interface ConnectOptions {
  /** How long to keep trying while the server is not up yet (0: once). */
  waitMs?: number
  /** Called once, at the first failed attempt, when it will be retried: the caller's progress line. */
  onWaiting?: (error: Error) => void
}

/**
 * A connected client. A server that is not up yet (replicas and the database started together) is
 * retried every second for `waitMs`; any other error (a wrong password, a missing database) fails
 * at once.
 */
export async function connectWhenUp (url: string, { waitMs = 0, onWaiting }: ConnectOptions = {}): Promise<pg.Client> {
  const deadline = Date.now() + waitMs
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      return client
    } catch (error) {
      await client.end().catch(() => {})
      const code = (error as { code?: string }).code
      if (!code || !NOT_UP_YET.has(code) || Date.now() + RETRY_INTERVAL_MS > deadline) throw error
      if (attempt === 0) onWaiting?.(error as Error)
      await sleep(RETRY_INTERVAL_MS)
    }
  }
}
