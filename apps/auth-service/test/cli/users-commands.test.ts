import { PassThrough } from 'node:stream'
import { describe, expect, it, onTestFinished } from 'vitest'
import { addUser, changePassword, listUsers, removeUser, type UsersContext } from '../../src/cli/users-commands.js'
import { openAuthDatabase } from '../../src/db/open-auth-database.js'
import { UserStore, type PasswordHashing } from '../../src/users/user-store.js'
import { cliRevocations } from '../../src/cli/cli-revocations.js'
import { tempDataDir, testConfig } from '../helper.js'
import { screen } from './fake-terminal.js'
import { refusal } from './refusal.js'

const NOW = Date.UTC(2030, 0, 1)
const PLAIN: PasswordHashing = {
  hash: async (password) => `plain:${password}`,
  verify: async (password, stored) => stored === `plain:${password}`
}

/** The commands on a fresh database, with `piped` as standard input and what they print collected. */
async function context (piped = '') {
  const db = await openAuthDatabase({ dataDir: await tempDataDir() })
  onTestFinished(() => db.close())
  const input = new PassThrough()
  input.end(piped)
  const printed: string[] = []
  const prompts = screen()
  const ctx: UsersContext = {
    store: new UserStore(db, PLAIN),
    input,
    prompts: prompts.stream,
    print: (line) => printed.push(line),
    tokenTtlSeconds: 900,
    revocations: cliRevocations(testConfig(), db, () => NOW),
    now: () => NOW
  }
  return { ctx, printed, prompts }
}

describe('users commands', () => {
  it('adds a user with the first line piped in, and lists it', async () => {
    const { ctx, printed } = await context('correct horse\nignored\n')
    await addUser(ctx, 'alice', 'read')
    expect(printed[0]).toMatch(/^added user alice with role read \(sub [0-9a-f-]{36}\)$/)
    expect(await ctx.store.verifyCredentials('alice', 'correct horse')).toMatchObject({ userName: 'alice', role: 'read' })

    await listUsers(ctx, true)
    expect(JSON.parse(printed[1] as string)).toEqual([{ id: expect.any(String), userName: 'alice', role: 'read', createdAt: expect.any(Number) }])
    await listUsers(ctx, false)
    expect(printed.slice(2).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([['name', 'role'], ['alice', 'read']])
  })

  it.each<[string, string, string, number]>([
    ['a name of a single space', ' ', 'a user name must not start or end with whitespace', 2],
    ['a 100-character name', 'x'.repeat(100), 'a user name must be at most 64 characters, got 100', 2],
    ['jane beside Jane', 'jane', 'a user named Jane already exists', 1],
    ['JANE beside Jane', 'JANE', 'a user named Jane already exists', 1]
  ])('refuses %s before reading a password', async (_case, userName, message, exitCode) => {
    const { ctx, prompts } = await context('correct horse\n')
    await ctx.store.add('Jane', 'pass1234', 'write')
    expect(await refusal(() => addUser(ctx, userName, 'read'))).toEqual({ message, exitCode })
    expect(prompts.text()).toBe('')
    // The password line is still unread.
    expect(ctx.input.readableLength).toBeGreaterThan(0)
    expect(await ctx.store.count()).toBe(1)
  })

  it('refuses a one-character password and adds nobody', async () => {
    const { ctx } = await context('x\n')
    expect(await refusal(() => addUser(ctx, 'alice', 'read'))).toEqual({ message: 'the password must be at least 8 characters', exitCode: 1 })
    expect(await ctx.store.count()).toBe(0)
  })

  it('removes a user by exact name, and points at a name that differs only in case', async () => {
    const { ctx, printed } = await context()
    await ctx.store.add('Jane', 'pass1234', 'write')
    expect(await refusal(() => removeUser(ctx, 'jane'))).toEqual({ message: 'no user named jane (there is Jane: names are matched exactly)', exitCode: 1 })
    expect(await refusal(() => removeUser(ctx, 'nobody'))).toEqual({ message: 'no user named nobody', exitCode: 1 })
    await removeUser(ctx, 'Jane')
    expect(printed).toEqual(['removed user Jane, ended 0 sessions, revoked 0 refresh tokens; consumers with a stream are told ' +
      'session-revoked for every token of the user and refuse them within seconds; others accept them until they expire (within 900 s)'])
    expect(await ctx.store.count()).toBe(0)
  })

  it('changes a password from the first line piped in', async () => {
    const { ctx, printed } = await context('battery staple\n')
    await ctx.store.add('alice', 'correct horse', 'read')
    await changePassword(ctx, 'alice')
    expect(printed).toEqual(['changed the password of alice, ended 0 sessions, revoked 0 refresh tokens; consumers with a stream ' +
      'are told credential-change and session-revoked for every token of the user issued before and refuse them within seconds; ' +
      'others accept them until they expire (within 900 s)'])
    expect(await ctx.store.verifyCredentials('alice', 'battery staple')).not.toBeNull()
    expect(await ctx.store.verifyCredentials('alice', 'correct horse')).toBeNull()
  })

  it('refuses a password change for an unknown user before reading a password', async () => {
    const { ctx, prompts } = await context('battery staple\n')
    expect(await refusal(() => changePassword(ctx, 'nobody'))).toEqual({ message: 'no user named nobody', exitCode: 1 })
    expect(prompts.text()).toBe('')
  })
})
