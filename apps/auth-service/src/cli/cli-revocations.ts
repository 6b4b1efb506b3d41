import type { SqlDatabase } from '@repo/service-kit/sql'
import type { AuthConfig } from '../config.js'
import type { Revocations } from '../sessions/revocations.js'
import { SessionStore } from '../sessions/session-store.js'
import { SignalLog } from '../signals/signal-log.js'
import { RefreshTokenStore } from '../tokens/refresh-token-store.js'

/**
 * The stores an administrator's revocation changes, on the CLI's own connection. Its events are
 * recorded in the database like the service's: the service's polls find them on their next check
 * (on PostgreSQL, its NOTIFY wakes them at once).
 */
export function cliRevocations (config: AuthConfig, db: SqlDatabase, now: () => number = Date.now): Revocations {
  const signals = new SignalLog(db, now)
  return {
    db,
    sessions: new SessionStore(db, {
      idleMs: config.sessionIdleTtlSeconds * 1000,
      absoluteMs: config.sessionTtlSeconds * 1000
    }),
    refreshTokens: new RefreshTokenStore(db, {
      idleMs: config.refreshTokenIdleTtlSeconds * 1000,
      absoluteMs: config.refreshTokenAbsoluteTtlSeconds * 1000,
      reuseGraceMs: config.refreshTokenReuseGraceMs
    }, { log: signals, issuer: config.issuer }),
    signals,
    issuer: config.issuer
  }
}
