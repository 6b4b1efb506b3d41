import type { SqlDatabase, SqlQueryable } from '@repo/service-kit/sql'
import { sessionRevoked, sessionSubject, type RevocationCause } from '../signals/caep-events.js'
import type { SignalLog } from '../signals/signal-log.js'
import type { RefreshTokenStore } from '../tokens/refresh-token-store.js'
import type { SessionStore } from './session-store.js'

/** What ending sessions takes: the stores it changes, and the log its events go to. */
export interface Revocations {
  db: SqlDatabase
  sessions: SessionStore
  refreshTokens: RefreshTokenStore
  signals: SignalLog
  /** The `iss` of the users the events name. */
  issuer: string
}

/**
 * Ends one browser session and revokes the refresh token families started in it, with its
 * session-revoked event, in one transaction: no revocation without its event, nor an event without
 * it. False, and nothing recorded, when the session had ended already.
 */
export async function endSession (
  { db, sessions, refreshTokens, signals, issuer }: Revocations,
  session: { sid: string, userId: string },
  now: number,
  cause: RevocationCause
): Promise<boolean> {
  const ended = await db.transaction(`browser_session:${session.sid}`, async (tx) => {
    if (!await sessions.end(session.sid, now, tx)) return false
    await refreshTokens.revokeSession(session.sid, now, tx)
    await signals.record(sessionRevoked(sessionSubject(issuer, session.userId, session.sid), cause, now), tx)
    return true
  })
  if (ended) signals.announce()
  return ended
}

/**
 * Ends every session of a user and revokes every refresh token family, through the caller's
 * transaction, which records the user's event (one for all of them).
 */
export async function endEverySession (
  { sessions, refreshTokens }: Pick<Revocations, 'sessions' | 'refreshTokens'>,
  tx: SqlQueryable,
  userId: string,
  now: number
): Promise<{ sessions: number, refreshTokens: number }> {
  return {
    sessions: await sessions.endAllOfUser(userId, now, tx),
    refreshTokens: await refreshTokens.revokeUser(userId, now, tx)
  }
}
