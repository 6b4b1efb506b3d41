import { describe, expect, it } from 'vitest'
import { SessionStore } from '../../src/sessions/session-store.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'

const S = 1000
const T0 = Date.UTC(2030, 0, 1)
const LIFETIMES = { idleMs: 600 * S, absoluteMs: 3600 * S }

describe.each(ENGINES)('SessionStore on %s', (engine: Engine) => {
  const open = async () => {
    const db = await openTestDatabase(await freshLocation(engine))
    return { db, sessions: new SessionStore(db, LIFETIMES) }
  }

  it('creates a session named by a random handle, stored only as its hash, found again until it ends', async () => {
    const { db, sessions } = await open()
    const { handle, session } = await sessions.create('u1', T0)
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(session).toEqual({ sid: expect.stringMatching(/^[0-9a-f-]{36}$/), userId: 'u1', authTime: T0, expiresAt: T0 + 3600 * S })
    expect(await sessions.find(handle, T0 + S)).toEqual(session)
    const rows = await db.all<Record<string, unknown>>('SELECT * FROM browser_sessions')
    expect(JSON.stringify(rows)).not.toContain(handle)
    expect(rows).toHaveLength(1)

    expect(await sessions.end(session.sid, T0 + 2 * S)).toBe(true)
    expect(await sessions.end(session.sid, T0 + 3 * S)).toBe(false)
    expect(await sessions.find(handle, T0 + 3 * S)).toBeUndefined()
    expect(await sessions.find('not-a-handle', T0)).toBeUndefined()
  })

  it('gives each login a new session and sid', async () => {
    const { sessions } = await open()
    const first = await sessions.create('u1', T0)
    const second = await sessions.create('u1', T0)
    expect(second.handle).not.toBe(first.handle)
    expect(second.session.sid).not.toBe(first.session.sid)
  })

  it('ends a session unused for the idle lifetime; use moves that deadline on', async () => {
    const { sessions } = await open()
    const idle = await sessions.create('u1', T0)
    const used = await sessions.create('u2', T0)
    expect(await sessions.find(used.handle, T0 + 500 * S)).toBeDefined()
    expect(await sessions.find(idle.handle, T0 + 600 * S)).toBeUndefined()
    // Seen at 500 s: alive until 1100 s, then over.
    expect(await sessions.find(used.handle, T0 + 1099 * S)).toBeDefined()
    const late = await sessions.create('u3', T0)
    expect(await sessions.find(late.handle, T0 + 599 * S)).toBeDefined()
    expect(await sessions.find(late.handle, T0 + 1199 * S)).toBeUndefined()
  })

  it('ends a session at its absolute lifetime, however used', async () => {
    const { sessions } = await open()
    const { handle } = await sessions.create('u1', T0)
    for (let at = 500; at < 3600; at += 500) expect(await sessions.find(handle, T0 + at * S), `at ${at} s`).toBeDefined()
    expect(await sessions.find(handle, T0 + 3600 * S)).toBeUndefined()
  })

  it('is seen by every process on the same database', async () => {
    const location = await freshLocation(engine)
    const [one, two] = await Promise.all([1, 2].map(async () => new SessionStore(await openTestDatabase(location), LIFETIMES)))
    const { handle, session } = await one!.create('u1', T0)
    expect(await two!.find(handle, T0 + S)).toEqual(session)
    await two!.end(session.sid, T0 + 2 * S)
    expect(await one!.find(handle, T0 + 3 * S)).toBeUndefined()
  })
})
