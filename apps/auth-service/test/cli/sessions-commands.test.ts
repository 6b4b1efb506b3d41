import { describe, expect, it } from 'vitest'
import { CAEP_SESSION_REVOKED } from '@repo/contracts/ssf'
import { listSessions, revokeSession } from '../../src/cli/sessions-commands.js'
import { ENGINES, type Engine } from '../databases.js'
import { ISSUER, testConfig } from '../helper.js'
import { recordedEvents } from '../signals/recorded-events.js'
import { NOW, NOW_SECONDS, revocationContext } from './sessions-context.js'
import { refusal } from './refusal.js'

const config = testConfig()
const IDLE_MS = config.sessionIdleTtlSeconds * 1000
const ABSOLUTE_MS = config.sessionTtlSeconds * 1000
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')

describe.each(ENGINES)('sessions commands on %s', (engine: Engine) => {
  it('lists a user\'s sessions, newest first, with their state; in JSON too', async () => {
    const { printed, sessions, revocations, alice, bob, browserLogin } = await revocationContext(engine)
    const live = await browserLogin(alice.id, NOW - 60_000)
    const ended = await browserLogin(alice.id, NOW - 120_000)
    const expired = await browserLogin(alice.id, NOW - ABSOLUTE_MS - 1)
    await browserLogin(bob.id)
    await revocations.sessions.end(ended.sid, NOW - 100_000)

    await listSessions(sessions, 'alice', true)
    expect(JSON.parse(printed[0]!)).toEqual([
      { sid: live.sid, authTime: NOW - 60_000, lastSeenAt: NOW - 60_000, expiresAt: NOW - 60_000 + Math.min(IDLE_MS, ABSOLUTE_MS), state: 'live', endedAt: null },
      { sid: ended.sid, authTime: NOW - 120_000, lastSeenAt: NOW - 120_000, expiresAt: NOW - 120_000 + Math.min(IDLE_MS, ABSOLUTE_MS), state: 'ended', endedAt: NOW - 100_000 },
      { sid: expired.sid, authTime: NOW - ABSOLUTE_MS - 1, lastSeenAt: NOW - ABSOLUTE_MS - 1, expiresAt: NOW - ABSOLUTE_MS - 1 + Math.min(IDLE_MS, ABSOLUTE_MS), state: 'expired', endedAt: null }
    ])
    await listSessions(sessions, 'alice', false)
    expect(printed.slice(1).map((line) => line.split(/\s+/))).toEqual([
      ['sid', 'auth_time', 'last', 'seen', 'expires', 'state'],
      [live.sid, iso(NOW - 60_000), iso(NOW - 60_000), iso(NOW - 60_000 + Math.min(IDLE_MS, ABSOLUTE_MS)), 'live'],
      [ended.sid, iso(NOW - 120_000), iso(NOW - 120_000), iso(NOW - 120_000 + Math.min(IDLE_MS, ABSOLUTE_MS)), 'ended'],
      [expired.sid, iso(NOW - ABSOLUTE_MS - 1), iso(NOW - ABSOLUTE_MS - 1), iso(NOW - ABSOLUTE_MS - 1 + Math.min(IDLE_MS, ABSOLUTE_MS)), 'expired']
    ])
  })

  it('refuses to list the sessions of an unknown user, pointing at a name differing in case', async () => {
    const { sessions } = await revocationContext(engine)
    expect(await refusal(() => listSessions(sessions, 'carol', false))).toEqual({ message: 'no user named carol', exitCode: 1 })
    expect(await refusal(() => listSessions(sessions, 'Alice', false)))
      .toEqual({ message: 'no user named Alice (there is alice: names are matched exactly)', exitCode: 1 })
  })

  it('revokes a session: ends it, revokes its refresh tokens, records session-revoked {user, session} by an admin', async () => {
    const { db, printed, sessions, revocations, alice, bob, browserLogin } = await revocationContext(engine)
    const target = await browserLogin(alice.id)
    const other = await browserLogin(alice.id)
    const bobs = await browserLogin(bob.id)
    await revokeSession(sessions, target.sid)
    expect(printed).toEqual([`ended session ${target.sid} and revoked its refresh tokens; consumers with a stream are ` +
      'told session-revoked for its tokens and refuse them within seconds; others accept them until they expire (within 900 s)'])
    const events = await recordedEvents(db)
    expect(events).toEqual([{
      type: CAEP_SESSION_REVOKED,
      subject: { format: 'complex', user: { format: 'iss_sub', iss: ISSUER, sub: alice.id }, session: { format: 'opaque', id: target.sid } },
      payload: { event_timestamp: NOW_SECONDS, initiating_entity: 'admin', reason_admin: { en: 'revoked by an administrator' } },
      txn: events[0]?.id,
      id: expect.any(String)
    }])
    expect(await revocations.sessions.find(target.handle, NOW)).toBeUndefined()
    expect(await revocations.refreshTokens.inspect(target.refreshToken, NOW)).toMatchObject({ active: false })
    for (const untouched of [other, bobs]) {
      expect(await revocations.sessions.find(untouched.handle, NOW)).toBeDefined()
      expect(await revocations.refreshTokens.inspect(untouched.refreshToken, NOW)).toMatchObject({ active: true })
    }
  })

  it('tells nobody anything about a session that had ended already, and refuses an unknown sid', async () => {
    const { db, printed, sessions, alice, browserLogin } = await revocationContext(engine)
    const { sid } = await browserLogin(alice.id)
    await revokeSession(sessions, sid)
    await revokeSession(sessions, sid)
    expect(printed[1]).toBe(`session ${sid} had ended already; nothing was changed and consumers are told nothing new`)
    expect(await refusal(() => revokeSession(sessions, 'no-such-sid'))).toEqual({ message: 'no session no-such-sid', exitCode: 1 })
    expect(await recordedEvents(db)).toHaveLength(1)
  })

  it('changes nothing when the event cannot be recorded: the session and its tokens live on', async () => {
    const { db, sessions, revocations, alice, browserLogin } = await revocationContext(engine)
    const target = await browserLogin(alice.id)
    await db.run('DROP TABLE ssf_events')
    await expect(revokeSession(sessions, target.sid)).rejects.toThrow()
    expect(await revocations.sessions.find(target.handle, NOW)).toBeDefined()
    expect(await revocations.refreshTokens.inspect(target.refreshToken, NOW)).toMatchObject({ active: true })
  })
})
