import { randomUUID } from 'node:crypto'
import type { SqlDatabase, SqlQueryable } from '@repo/service-kit/sql'
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

/** A session as an administrator lists it (`sessions list`). */
export interface ListedSession {
  sid: string
  /** Ms since the epoch, as every time here. */
  authTime: number
  lastSeenAt: number
  /** The earlier of its idle and absolute deadlines. */
  expiresAt: number
  /** `ended`: logged out or revoked; `expired`: timed out; `live`: usable now. */
  state: 'live' | 'ended' | 'expired'
  endedAt: number | null
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

  /** The user whose session `sid` names, ended or not; undefined for an unknown sid. */
  async ownerOf (sid: string): Promise<string | undefined> {
    const row = await this.#db.get<Pick<SessionRow, 'user_id'>>('SELECT user_id FROM browser_sessions WHERE sid = $1',
      [sid])
    return row?.user_id
  }

  /** Every session of a user still on record, the newest login first. */
  async listOfUser (userId: string, now: number): Promise<ListedSession[]> {
    const rows = await this.#db.all<SessionRow>(
      'SELECT * FROM browser_sessions WHERE user_id = $1 ORDER BY auth_time DESC, sid', [userId])
    return rows.map((row) => {
      const expiresAt = Math.min(Number(row.idle_expires_at), Number(row.expires_at))
      const endedAt = row.ended_at === null ? null : Number(row.ended_at)
      const state = endedAt !== null ? 'ended' : now >= expiresAt ? 'expired' : 'live'
      const lastSeenAt = Number(row.last_seen_at)
      return { sid: row.sid, authTime: Number(row.auth_time), lastSeenAt, expiresAt, state, endedAt }
    })
  }

  /**
   * Ends a session (logout); true if it was not ended already. Through `sql`, the caller's transaction,
   * which revokes its refresh tokens and records its event with it.
   */
  async end (sid: string, now: number, sql: SqlQueryable = this.#db): Promise<boolean> {
    return await sql.run(
      'UPDATE browser_sessions SET ended_at = $1 WHERE sid = $2 AND ended_at IS NULL', [now, sid]) > 0
  }

  /** Ends every session of a user not ended already (an administrator's revocation); returns how many. */
  async endAllOfUser (userId: string, now: number, sql: SqlQueryable): Promise<number> {
    return sql.run('UPDATE browser_sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL', [now, userId])
  }
}
