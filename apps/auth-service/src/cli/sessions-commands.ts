import { endSession, type Revocations } from '../sessions/revocations.js'
import { ADMIN_SESSION_REVOKED } from '../signals/caep-events.js'
import type { UserStore } from '../users/user-store.js'
import { CliError } from './cli-error.js'
import { formatTable, formatTime } from './format-table.js'
import { existingUser, toldConsumers } from './users-commands.js'

/** What the `sessions` subcommands work with; the entry point passes the process's own. */
export interface SessionsContext {
  users: UserStore
  revocations: Revocations
  print: (line: string) => void
  /** Milliseconds since the epoch. */
  now: () => number
  /** How long an access token issued before a revocation stays valid where nobody is told. */
  tokenTtlSeconds: number
}

/** `sessions list --user`: every browser session of a user on record, newest first. */
export async function listSessions (
  { users, revocations, print, now }: SessionsContext, userName: string, json: boolean
): Promise<void> {
  const user = await existingUser(users, userName)
  const sessions = await revocations.sessions.listOfUser(user.id, now())
  if (json) return print(JSON.stringify(sessions, null, 2))
  const rows = sessions.map((session) => [session.sid, formatTime(session.authTime), formatTime(session.lastSeenAt),
    formatTime(session.expiresAt), session.state])
  for (const line of formatTable(['sid', 'auth_time', 'last seen', 'expires', 'state'], rows)) print(line)
}

/** `sessions revoke`: ends one session and its refresh tokens, and tells the receivers. */
export async function revokeSession (
  { revocations, print, now, tokenTtlSeconds }: SessionsContext, sid: string
): Promise<void> {
  const userId = await revocations.sessions.ownerOf(sid)
  if (userId === undefined) throw new CliError(`no session ${sid}`)
  if (!await endSession(revocations, { sid, userId }, now(), ADMIN_SESSION_REVOKED)) {
    // Told when it ended: a second event would say nothing new.
    return print(`session ${sid} had ended already; nothing was changed and consumers are told nothing new`)
  }
  print(`ended session ${sid} and revoked its refresh tokens; ` +
    toldConsumers('session-revoked for its tokens', tokenTtlSeconds))
}
