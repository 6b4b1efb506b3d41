import { describe, expect, it } from 'vitest'
import { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED } from '@repo/contracts/ssf'
import { changePassword, removeUser, revokeTokens } from '../../src/cli/users-commands.js'
import { ENGINES, type Engine } from '../databases.js'
import { ISSUER } from '../helper.js'
import { recordedEvents } from '../signals/recorded-events.js'
import { NOW, NOW_SECONDS, revocationContext } from './sessions-context.js'
import { refusal } from './refusal.js'

const TOLD = 'consumers with a stream are told session-revoked for every token of the user'
const OTHERS = 'and refuse them within seconds; others accept them until they expire (within 900 s)'
const admin = (reason: string) => ({ event_timestamp: NOW_SECONDS, initiating_entity: 'admin', reason_admin: { en: reason } })

describe.each(ENGINES)('users commands that revoke, on %s', (engine: Engine) => {
  /** Alice with two browser sessions, Bob with one; what the commands work on. */
  async function twoUsers (piped = '') {
    const context = await revocationContext(engine, piped)
    const alices = [await context.browserLogin(context.alice.id), await context.browserLogin(context.alice.id)]
    const bobs = await context.browserLogin(context.bob.id)
    /** Whether each of Alice's sessions and refresh tokens, then Bob's, is still live. */
    const liveness = async () => Promise.all([...alices, bobs].map(async ({ handle, refreshToken }) => [
      await context.revocations.sessions.find(handle, NOW) !== undefined,
      (await context.revocations.refreshTokens.inspect(refreshToken, NOW))?.active
    ]))
    return { ...context, liveness, aliceSubject: { format: 'iss_sub', iss: ISSUER, sub: context.alice.id } }
  }

  it('revoke-tokens: ends every session and refresh token of the user, with ONE session-revoked {iss_sub}', async () => {
    const { db, printed, users, aliceSubject, liveness } = await twoUsers()
    await revokeTokens(users, 'alice')
    expect(printed).toEqual([`ended 2 sessions of alice, revoked 2 refresh tokens; ${TOLD} issued before ${OTHERS}`])
    const events = await recordedEvents(db)
    expect(events).toEqual([{
      type: CAEP_SESSION_REVOKED, subject: aliceSubject, payload: admin('all sessions revoked'), txn: events[0]?.id, id: expect.any(String)
    }])
    expect(await liveness()).toEqual([[false, false], [false, false], [true, true]])
  })

  it('revoke-tokens of a user without sessions still tells the receivers: access tokens need no session', async () => {
    const { db, printed, users } = await revocationContext(engine)
    await revokeTokens(users, 'bob')
    expect(printed).toEqual([`ended 0 sessions of bob, revoked 0 refresh tokens; ${TOLD} issued before ${OTHERS}`])
    expect(await recordedEvents(db)).toHaveLength(1)
  })

  it('revoke-tokens refuses an unknown user and records nothing', async () => {
    const { db, users } = await twoUsers()
    expect(await refusal(() => revokeTokens(users, 'carol'))).toEqual({ message: 'no user named carol', exitCode: 1 })
    expect(await recordedEvents(db)).toEqual([])
  })

  it('passwd: the new password, every session ended, credential-change and session-revoked sharing one txn', async () => {
    const { db, users, aliceSubject, liveness } = await twoUsers('battery staple\n')
    await changePassword(users, 'alice')
    expect(await users.store.verifyCredentials('alice', 'battery staple')).not.toBeNull()
    const events = await recordedEvents(db)
    expect(events.map(({ type, subject, payload }) => ({ type, subject, payload }))).toEqual([
      {
        type: CAEP_CREDENTIAL_CHANGE,
        subject: aliceSubject,
        payload: { credential_type: 'password', change_type: 'update', ...admin('password changed') }
      },
      { type: CAEP_SESSION_REVOKED, subject: aliceSubject, payload: admin('password changed') }
    ])
    expect(events[0]?.txn).toMatch(/^[0-9a-f]{32}$/)
    expect(events[1]?.txn).toBe(events[0]?.txn)
    expect(events[0]?.id).not.toBe(events[1]?.id)
    expect(await liveness()).toEqual([[false, false], [false, false], [true, true]])
  })

  it('remove: the user, its sessions and refresh tokens go, with session-revoked {iss_sub}', async () => {
    const { db, printed, users, aliceSubject, liveness } = await twoUsers()
    await removeUser(users, 'alice')
    expect(printed).toEqual([`removed user alice, ended 2 sessions, revoked 2 refresh tokens; ${TOLD} ${OTHERS}`])
    expect(await users.store.find('alice')).toBeUndefined()
    expect((await recordedEvents(db)).map(({ type, subject, payload }) => ({ type, subject, payload })))
      .toEqual([{ type: CAEP_SESSION_REVOKED, subject: aliceSubject, payload: admin('all sessions revoked') }])
    expect(await liveness()).toEqual([[false, false], [false, false], [true, true]])
  })

  it.each([
    ['revoke-tokens', async (users: Awaited<ReturnType<typeof twoUsers>>['users']) => revokeTokens(users, 'alice')],
    ['passwd', async (users: Awaited<ReturnType<typeof twoUsers>>['users']) => changePassword(users, 'alice')],
    ['remove', async (users: Awaited<ReturnType<typeof twoUsers>>['users']) => removeUser(users, 'alice')]
  ])('%s changes nothing when its event cannot be recorded', async (_command, run) => {
    const { db, users, liveness } = await twoUsers('battery staple\n')
    await db.run('DROP TABLE ssf_events')
    await expect(run(users)).rejects.toThrow()
    expect(await users.store.verifyCredentials('alice', 'correct horse')).not.toBeNull()
    expect(await liveness()).toEqual([[true, true], [true, true], [true, true]])
  })
})
