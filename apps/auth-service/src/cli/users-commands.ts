import type { Writable } from 'node:stream'
import type { Role } from '@repo/contracts/scopes'
import type { SqlQueryable } from '@repo/service-kit/sql'
import { endEverySession, type Revocations } from '../sessions/revocations.js'
import {
  ALL_SESSIONS_REVOKED, PASSWORD_CHANGED, passwordChanged, sessionRevoked, userSubject
} from '../signals/caep-events.js'
import { newSignalId } from '../signals/signal-log.js'
import { userNameProblem } from '../users/user-policy.js'
import { DuplicateUserError, type User, type UserStore } from '../users/user-store.js'
import { CliError, USAGE_ERROR } from './cli-error.js'
import { formatTable, formatTime } from './format-table.js'
import { readNewPassword } from './read-new-password.js'
import type { SecretInput } from './read-secret.js'

/** What the `users` subcommands work with; the entry point passes the process's own. */
export interface UsersContext {
  store: UserStore
  /** Where a password comes from: a terminal (prompted, no echo) or a pipe (first line). */
  input: SecretInput
  /** Where prompts go: standard error, so standard output stays clean for scripts. */
  prompts: Writable
  print: (line: string) => void
  /** How long a token issued before a removal or a password change stays valid, at most. */
  tokenTtlSeconds: number
  /** The sessions and refresh tokens a revocation ends, and the log its events go to. */
  revocations: Revocations
  /** Milliseconds since the epoch. */
  now: () => number
}

/** What a consumer does once told, and one that is not: the end of every line of a revocation. */
export const toldConsumers = (what: string, tokenTtlSeconds: number) =>
  `consumers with a stream are told ${what} and refuse them within seconds; ` +
  `others accept them until they expire (within ${tokenTtlSeconds} s)`

/**
 * Ends every session and refresh token of `user` and records the user's events (session-revoked, and
 * credential-change first for a new password), in `tx`: the user's own change (removal, new password)
 * commits with them or not at all.
 */
async function revokeEverything (
  revocations: Revocations, tx: SqlQueryable, user: User, now: number, passwordChange: boolean
): Promise<{ sessions: number, refreshTokens: number }> {
  const ended = await endEverySession(revocations, tx, user.id, now)
  const subject = userSubject(revocations.issuer, user.id)
  if (passwordChange) {
    // One txn for both: a receiver sees they are one change (SSF 1.0 §4.1.8).
    const txn = newSignalId()
    await revocations.signals.record(passwordChanged(subject, PASSWORD_CHANGED, now, txn), tx)
    await revocations.signals.record(sessionRevoked(subject, PASSWORD_CHANGED, now, txn), tx)
  } else {
    await revocations.signals.record(sessionRevoked(subject, ALL_SESSIONS_REVOKED, now), tx)
  }
  return ended
}

const counted = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

export async function addUser (
  { store, input, prompts, print }: UsersContext, userName: string, role: Role
): Promise<void> {
  const problem = userNameProblem(userName)
  if (problem) throw new CliError(problem, USAGE_ERROR)
  // Checked before the password is asked for, and again atomically by `add`.
  const existing = await store.findIgnoringCase(userName)
  if (existing) throw new CliError(new DuplicateUserError(existing.userName).message)
  const password = await readNewPassword(userName, input, prompts)
  try {
    const user = await store.add(userName, password, role)
    print(`added user ${user.userName} with role ${user.role} (sub ${user.id})`)
  } catch (error) {
    if (error instanceof DuplicateUserError) throw new CliError(error.message)
    throw error
  }
}

export async function listUsers ({ store, print }: UsersContext, json: boolean): Promise<void> {
  const users = await store.list()
  if (json) return print(JSON.stringify(users, null, 2))
  const rows = users.map((user) => [user.userName, user.role, formatTime(user.createdAt), user.id])
  for (const line of formatTable(['name', 'role', 'created', 'sub'], rows)) print(line)
}

/** The user named exactly `userName`, or a refusal that points at a name differing only in case. */
export async function existingUser (store: UserStore, userName: string): Promise<User> {
  const user = await store.find(userName)
  if (user) return user
  const similar = await store.findIgnoringCase(userName)
  const hint = similar ? ` (there is ${similar.userName}: names are matched exactly)` : ''
  throw new CliError(`no user named ${userName}${hint}`)
}

export async function removeUser (
  { store, print, tokenTtlSeconds, revocations, now }: UsersContext, userName: string
): Promise<void> {
  await existingUser(store, userName)
  const at = now()
  let ended = { sessions: 0, refreshTokens: 0 }
  const removed = await store.remove(userName, async (tx, user) => {
    ended = await revokeEverything(revocations, tx, user, at, false)
  })
  if (!removed) throw new CliError(`no user named ${userName}`)
  revocations.signals.announce()
  print(`removed user ${userName}, ended ${counted(ended.sessions, 'session')}, ` +
    `revoked ${counted(ended.refreshTokens, 'refresh token')}; ` +
    toldConsumers('session-revoked for every token of the user', tokenTtlSeconds))
}

export async function changePassword (
  { store, input, prompts, print, tokenTtlSeconds, revocations, now }: UsersContext, userName: string
): Promise<void> {
  await existingUser(store, userName)
  const password = await readNewPassword(userName, input, prompts)
  const at = now()
  let ended = { sessions: 0, refreshTokens: 0 }
  const changed = await store.setPassword(userName, password, async (tx, user) => {
    ended = await revokeEverything(revocations, tx, user, at, true)
  })
  if (!changed) throw new CliError(`no user named ${userName}`)
  revocations.signals.announce()
  print(`changed the password of ${userName}, ended ${counted(ended.sessions, 'session')}, ` +
    `revoked ${counted(ended.refreshTokens, 'refresh token')}; ` +
    toldConsumers('credential-change and session-revoked for every token of the user issued before', tokenTtlSeconds))
}

/** `users revoke-tokens`: every session and refresh token of the user ends, and every access token it was issued. */
export async function revokeTokens (
  { store, print, tokenTtlSeconds, revocations, now }: UsersContext, userName: string
): Promise<void> {
  const user = await existingUser(store, userName)
  const at = now()
  // Under the users lock, as a removal or a password change: it commits whole or not at all.
  const ended = await revocations.db.transaction('users', (tx) => revokeEverything(revocations, tx, user, at, false))
  revocations.signals.announce()
  print(`ended ${counted(ended.sessions, 'session')} of ${userName}, ` +
    `revoked ${counted(ended.refreshTokens, 'refresh token')}; ` +
    toldConsumers('session-revoked for every token of the user issued before', tokenTtlSeconds))
}
