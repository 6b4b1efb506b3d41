import { PassThrough } from 'node:stream'
import { cliRevocations } from '../../src/cli/cli-revocations.js'
import type { SessionsContext } from '../../src/cli/sessions-commands.js'
import type { UsersContext } from '../../src/cli/users-commands.js'
import { UserStore, type PasswordHashing } from '../../src/users/user-store.js'
import { freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { testConfig } from '../helper.js'
import { screen } from './fake-terminal.js'

/** Half a second past a whole second: `event_timestamp` is the second of the change, rounded down. */
export const NOW = Date.UTC(2030, 0, 1) + 1500
export const NOW_SECONDS = Math.floor(NOW / 1000)

const PLAIN: PasswordHashing = {
  hash: async (password) => `plain:${password}`,
  verify: async (password, stored) => stored === `plain:${password}`
}

/**
 * The users and sessions commands on a fresh database of `engine`, as the CLI builds them (at NOW),
 * with `piped` as standard input; what they print is collected. Alice and Bob exist.
 */
export async function revocationContext (engine: Engine, piped = '') {
  const db = await openTestDatabase(await freshLocation(engine))
  const printed: string[] = []
  const print = (line: string) => { printed.push(line) }
  const store = new UserStore(db, PLAIN)
  const revocations = cliRevocations(testConfig(), db, () => NOW)
  const input = new PassThrough()
  input.end(piped)
  const users: UsersContext = {
    store, input, prompts: screen().stream, print, tokenTtlSeconds: 900, revocations, now: () => NOW
  }
  const sessions: SessionsContext = { users: store, revocations, print, now: () => NOW, tokenTtlSeconds: 900 }
  const alice = await store.add('alice', 'correct horse', 'read')
  const bob = await store.add('bob', 'correct horse', 'read')
  /** A browser session of `userId` logged in at `at`, with a refresh token family of `spa` started in it. */
  async function browserLogin (userId: string, at = NOW - 60_000) {
    const { session, handle } = await revocations.sessions.create(userId, at)
    const refreshToken = await revocations.refreshTokens.issue(
      { userId, clientId: 'spa', scope: 'openid', sessionId: session.sid }, at)
    return { sid: session.sid, handle, refreshToken }
  }
  return { db, printed, users, sessions, revocations, alice, bob, browserLogin }
}
