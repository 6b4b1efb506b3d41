import { describe, expect, it } from 'vitest'
import type { SqlDatabase, SqlQueryable, SqlValue } from '@repo/service-kit/sql'
import { KEEP_USED_MS } from '../../src/authorization/authorization-code-store.js'
import { purgeExpired } from '../../src/maintenance/purge.js'
import { SignalLog } from '../../src/signals/signal-log.js'
import { SessionStore } from '../../src/sessions/session-store.js'
import { RefreshTokenStore } from '../../src/tokens/refresh-token-store.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { CODE_LIFETIME, insertRow, keysOf, REACH, RULES, S, T0 } from './purge-fixture.js'

/** Each table, and the last expiry time at which a purge at T0 deletes its row (one ms later is kept). */
const RETENTION: ReadonlyArray<[string, number]> = [
  ['refresh_tokens', T0 - REACH],
  ['browser_sessions', T0 - CODE_LIFETIME - REACH],
  ['authorization_codes', T0 - KEEP_USED_MS],
  ['authorization_requests', T0],
  ['client_assertions', T0 - 1],
  ['auth_dpop_proofs', T0]
]

/** Counts the DELETE statements sent through it. */
function countingDeletes (db: SqlDatabase): { sql: SqlQueryable, deletes: () => number } {
  let deletes = 0
  return {
    sql: {
      all: (text, params) => db.all(text, params),
      get: (text, params) => db.get(text, params),
      run: (text: string, params?: readonly SqlValue[]) => {
        if (text.startsWith('DELETE')) deletes++
        return db.run(text, params)
      }
    },
    deletes: () => deletes
  }
}

describe.each(ENGINES)('purgeExpired on %s', (engine: Engine) => {
  const open = async () => openTestDatabase(await freshLocation(engine))

  it.each(RETENTION)('%s: deletes a row just outside its retention, keeps one just inside', async (table, last) => {
    const db = await open()
    await insertRow(db, table, 'outside', last)
    await insertRow(db, table, 'inside', last + 1)
    const counts = await purgeExpired(db, RULES, { now: T0, batchSize: 1000 })
    expect(counts[table]).toBe(1)
    expect(await keysOf(db, table)).toEqual(['inside'])
  })

  it('keeps an expired session while an access token issued before its end can be unexpired', async () => {
    const db = await open()
    const expired = T0 - CODE_LIFETIME - REACH
    await insertRow(db, 'browser_sessions', 'ended-late', expired, { endedAt: T0 - REACH + 1 })
    await insertRow(db, 'browser_sessions', 'ended-long-ago', expired, { endedAt: T0 - REACH })
    await purgeExpired(db, RULES, { now: T0, batchSize: 1000 })
    expect(await keysOf(db, 'browser_sessions')).toEqual(['ended-late'])
    // What introspection asks for an access token naming it (a missing row would read as not ended).
    const sessions = new SessionStore(db, { idleMs: S, absoluteMs: S })
    expect(await sessions.hasEnded('ended-late')).toBe(true)
  })

  it('keeps an expired session while a refresh token of it is kept', async () => {
    const db = await open()
    await insertRow(db, 'browser_sessions', 'sid-of-live', T0 - CODE_LIFETIME - REACH)
    await insertRow(db, 'refresh_tokens', 'live', T0 - REACH + 1)
    await purgeExpired(db, RULES, { now: T0, batchSize: 1000 })
    expect(await keysOf(db, 'browser_sessions')).toEqual(['sid-of-live'])
    // Once the refresh token is gone, its session goes in the same run (refresh tokens are purged first).
    await purgeExpired(db, RULES, { now: T0 + 1, batchSize: 1000 })
    expect(await keysOf(db, 'browser_sessions')).toEqual([])
  })

  it('deletes in batches of batchSize until a batch comes back short', async () => {
    const db = await open()
    for (const key of ['a', 'b', 'c', 'd', 'e']) await insertRow(db, 'refresh_tokens', key, T0 - REACH)
    await insertRow(db, 'client_assertions', 'x', T0 - 1)
    await insertRow(db, 'client_assertions', 'y', T0 - 1)
    const { sql, deletes } = countingDeletes(db)
    const counts = await purgeExpired(sql, RULES, { now: T0, batchSize: 2 })
    expect(counts).toEqual({
      refresh_tokens: 5,
      browser_sessions: 0,
      authorization_codes: 0,
      authorization_requests: 0,
      client_assertions: 2,
      auth_dpop_proofs: 0
    })
    expect(await keysOf(db, 'refresh_tokens')).toEqual([])
    // refresh_tokens 2 + 2 + 1; client_assertions 2 + 0 (a full batch asks once more); four tables with none.
    expect(deletes()).toBe(3 + 2 + 4)
  })

  it('still detects the reuse of a token used long ago, just before its family expires, after a purge', async () => {
    const db = await open()
    const lifetimes = { idleMs: 2000 * S, absoluteMs: 3000 * S, reuseGraceMs: 0 }
    const signals = { log: new SignalLog(db, () => T0), issuer: 'http://auth.test' }
    const tokens = new RefreshTokenStore(db, lifetimes, signals)
    const grant = { userId: 'u1', clientId: 'demo-client', scope: 'reports:read' }
    const first = await tokens.issue(grant, T0)
    const second = await tokens.redeem(first, T0 + S)
    if (!second.ok) throw new Error('unreachable')
    const third = await tokens.redeem(second.refreshToken, T0 + 1999 * S)
    if (!third.ok) throw new Error('unreachable')
    // `first` is past its own idle deadline by more than REACH; the family lives until T0 + 3000 s.
    const at = T0 + 3000 * S - 1
    await purgeExpired(db, RULES, { now: at, batchSize: 1000 })
    expect(await tokens.redeem(first, at)).toEqual({ ok: false, reason: 'reused', grant })
    expect(await tokens.redeem(third.refreshToken, at)).toEqual({ ok: false, reason: 'revoked', grant })
  })
})
