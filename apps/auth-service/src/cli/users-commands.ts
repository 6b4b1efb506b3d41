import type { Writable } from 'node:stream'
import type { Role } from '@repo/contracts/scopes'
import { userNameProblem } from '../users/user-policy.js'
import { DuplicateUserError, type UserStore } from '../users/user-store.js'
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
}

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
async function existingUser (store: UserStore, userName: string) {
  const user = await store.find(userName)
  if (user) return user
  const similar = await store.findIgnoringCase(userName)
  const hint = similar ? ` (there is ${similar.userName}: names are matched exactly)` : ''
  throw new CliError(`no user named ${userName}${hint}`)
}

export async function removeUser ({ store, print, tokenTtlSeconds }: UsersContext, userName: string): Promise<void> {
  await existingUser(store, userName)
  if (!await store.remove(userName)) throw new CliError(`no user named ${userName}`)
  print(`removed user ${userName}; ` +
    `tokens already issued to it stay valid until they expire (within ${tokenTtlSeconds} s)`)
}

export async function changePassword (
  { store, input, prompts, print, tokenTtlSeconds }: UsersContext, userName: string
): Promise<void> {
  await existingUser(store, userName)
  const password = await readNewPassword(userName, input, prompts)
  if (!await store.setPassword(userName, password)) throw new CliError(`no user named ${userName}`)
  print(`changed the password of ${userName}; ` +
    `tokens issued before stay valid until they expire (within ${tokenTtlSeconds} s)`)
}
