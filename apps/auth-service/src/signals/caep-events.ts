import { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED, type Subject } from '@repo/contracts/ssf'
import type { SignalEvent } from './signal-log.js'

/** Who caused a revocation (CAEP 1.0 §2 `initiating_entity`). */
export type InitiatingEntity = 'admin' | 'user' | 'policy' | 'system'

/** Why a session ended, as the receivers' administrators read it (`reason_admin.en`, design §3.5). */
export interface RevocationCause {
  initiatingEntity: InitiatingEntity
  reason: string
}

export const LOGOUT: RevocationCause = { initiatingEntity: 'user', reason: 'RP-initiated logout' }
export const ADMIN_SESSION_REVOKED: RevocationCause = {
  initiatingEntity: 'admin', reason: 'revoked by an administrator'
}
export const REFRESH_TOKEN_REUSED: RevocationCause = { initiatingEntity: 'policy', reason: 'refresh token reused' }
export const REFRESH_TOKEN_REVOKED: RevocationCause = {
  initiatingEntity: 'user', reason: 'refresh token revoked by the client'
}
export const CODE_REPLAYED: RevocationCause = { initiatingEntity: 'policy', reason: 'authorization code replayed' }
export const ALL_SESSIONS_REVOKED: RevocationCause = { initiatingEntity: 'admin', reason: 'all sessions revoked' }
export const PASSWORD_CHANGED: RevocationCause = { initiatingEntity: 'admin', reason: 'password changed' }
export const CLIENT_REMOVED: RevocationCause = { initiatingEntity: 'admin', reason: 'client removed' }

/** A user of this issuer (RFC 9493 `iss_sub`): every token whose `sub` it is. */
export const userSubject = (issuer: string, userId: string): Subject =>
  ({ format: 'iss_sub', iss: issuer, sub: userId })

/** One browser session of a user: the tokens carrying its `sid`. */
export const sessionSubject = (issuer: string, userId: string, sid: string): Subject => ({
  format: 'complex',
  user: { format: 'iss_sub', iss: issuer, sub: userId },
  session: { format: 'opaque', id: sid }
})

/** What a refresh token family was issued for: a user at one client, in a browser session when it came from one. */
export interface FamilyOwner {
  userId: string
  clientId: string
  sessionId: string | null | undefined
}

/** A refresh token family: the user's tokens of that client (and of that session, when it came from one). */
export function familySubject (issuer: string, { userId, clientId, sessionId }: FamilyOwner): Subject {
  return {
    format: 'complex',
    user: { format: 'iss_sub', iss: issuer, sub: userId },
    ...sessionId ? { session: { format: 'opaque' as const, id: sessionId } } : {},
    application: { format: 'opaque', id: clientId }
  }
}

/** Every token of one client. */
export const applicationSubject = (clientId: string): Subject =>
  ({ format: 'complex', application: { format: 'opaque', id: clientId } })

/** CAEP's `event_timestamp` is in seconds. */
const seconds = (ms: number) => Math.floor(ms / 1000)

/** CAEP session-revoked: the subject's sessions as of `now` (ms) are over. */
export function sessionRevoked (subject: Subject, cause: RevocationCause, now: number, txn?: string): SignalEvent {
  return {
    type: CAEP_SESSION_REVOKED,
    subject,
    payload: {
      event_timestamp: seconds(now), initiating_entity: cause.initiatingEntity, reason_admin: { en: cause.reason }
    },
    ...txn === undefined ? {} : { txn }
  }
}

/** CAEP credential-change: the subject's password was replaced at `now` (ms). */
export function passwordChanged (subject: Subject, cause: RevocationCause, now: number, txn: string): SignalEvent {
  return {
    type: CAEP_CREDENTIAL_CHANGE,
    subject,
    payload: {
      credential_type: 'password',
      change_type: 'update',
      event_timestamp: seconds(now),
      initiating_entity: cause.initiatingEntity,
      reason_admin: { en: cause.reason }
    },
    txn
  }
}
