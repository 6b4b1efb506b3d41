import { randomUUID } from 'node:crypto'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { hashHandle, newHandle } from '../crypto/opaque-handle.js'

/** A person logged in at this browser: what single sign-on reuses. */
export interface BrowserSession {
  /** The public session id: `sid` of ID tokens and logout; never the cookie's value. */
  sid: string
  userId: string
  /** When the user last entered their password, ms since the epoch (`auth_time` of ID tokens). */
  authTime: number
  /** When it dies whatever happens (the absolute lifetime). */
  expiresAt: number
}

export interface SessionLifetimes {
  /** A session not used for this long is over. */
  idleMs: number
  /** A session is over this long after its login, however used. */
  absoluteMs: number
}

interface SessionRow {
  sid: string
  user_id: string
  auth_time: number
  last_seen_at: number
  idle_expires_at: number
  expires_at: number
  ended_at: number | null
}

/** Bounds the writes of a busy session: its idle deadline moves at most once per this interval. */
const TOUCH_INTERVAL_MS = 60_000

/**
 * Browser sessions, server-side in the database so every replica sees them. The cookie holds a
 * random handle; the table holds its hash. Each login makes a new session (never reuses the
 * browser's old one: no session fixation).
 */
export class SessionStore {
  readonly #db: SqlDatabase
  readonly #lifetimes: SessionLifetimes

  constructor (db: SqlDatabase, lifetimes: SessionLifetimes) {
    this.#db = db
    this.#lifetimes = lifetimes
  }

  /** A new session for a login that just happened: the handle goes in the cookie. */
  async create (userId: string, now: number): Promise<{ handle: string, session: BrowserSession }> {
    const handle = newHandle()
    const session = { sid: randomUUID(), userId, authTime: now, expiresAt: now + this.#lifetimes.absoluteMs }
    await this.#db.run(
      `INSERT INTO browser_sessions (id_hash, sid, user_id, auth_time, last_seen_at, idle_expires_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [hashHandle(handle), session.sid, userId, now, now, Math.min(now + this.#lifetimes.idleMs, session.expiresAt),
        session.expiresAt])
    return { handle, session }
  }

  /** The live session a cookie's handle names (and its idle deadline moved on), or undefined. */
  async find (handle: string, now: number): Promise<BrowserSession | undefined> {
    const idHash = hashHandle(handle)
    const row = await this.#db.get<SessionRow>('SELECT * FROM browser_sessions WHERE id_hash = $1', [idHash])
    if (!row || row.ended_at !== null || now >= row.idle_expires_at || now >= row.expires_at) return undefined
    if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
      await this.#db.run('UPDATE browser_sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id_hash = $3',
        [now, Math.min(now + this.#lifetimes.idleMs, row.expires_at), idHash])
    }
    return { sid: row.sid, userId: row.user_id, authTime: row.auth_time, expiresAt: row.expires_at }
  }

  /**
   * Whether the session `sid` names was ended (a logout): its access tokens are then revoked for
   * introspection. A session that merely timed out was not ended: its tokens live out their time.
   */
  async hasEnded (sid: string): Promise<boolean> {
    const row = await this.#db.get<Pick<SessionRow, 'ended_at'>>(
      'SELECT ended_at FROM browser_sessions WHERE sid = $1', [sid])
    return row !== undefined && row.ended_at !== null
  }

  /** Ends a session (logout); true if it was live. */
  async end (sid: string, now: number): Promise<boolean> {
    return await this.#db.run(
      'UPDATE browser_sessions SET ended_at = $1 WHERE sid = $2 AND ended_at IS NULL', [now, sid]) > 0
  }
}
