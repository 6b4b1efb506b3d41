import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { SignalLog } from '../../src/signals/signal-log.js'
import { RefreshTokenStore, type Redemption } from '../../src/tokens/refresh-token-store.js'
import { openSuccessor } from '../../src/tokens/successor-seal.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'

const S = 1000
const T0 = Date.UTC(2030, 0, 1)
const LIFETIMES = { idleMs: 60 * S, absoluteMs: 300 * S, reuseGraceMs: 0 }
const GRACE = 10 * S
const GRANT = { userId: 'u1', clientId: 'demo-client', scope: 'reports:read' }
/** Where revoked families are announced (test/signals/emitters.test.ts checks what is recorded). */
const signalsOf = (db: SqlDatabase) => ({ log: new SignalLog(db, () => T0), issuer: 'http://auth.test' })
const storeOn = (db: SqlDatabase, lifetimes = LIFETIMES) => new RefreshTokenStore(db, lifetimes, signalsOf(db))

describe.each(ENGINES)('RefreshTokenStore on %s', (engine: Engine) => {
  const open = async () => storeOn(await openTestDatabase(await freshLocation(engine)))

  it('rotates on every use: the successor works, the used token never again', async () => {
    const tokens = await open()
    const first = await tokens.issue(GRANT, T0)
    const redeemed = await tokens.redeem(first, T0 + S)
    expect(redeemed).toEqual({ ok: true, grant: GRANT, refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    if (!redeemed.ok) throw new Error('unreachable')
    expect(await tokens.redeem(redeemed.refreshToken, T0 + 2 * S)).toMatchObject({ ok: true, grant: GRANT })
  })

  it('revokes the whole family when a used token comes back, the newest token included', async () => {
    const tokens = await open()
    const first = await tokens.issue(GRANT, T0)
    const second = await tokens.redeem(first, T0 + S)
    if (!second.ok) throw new Error('unreachable')
    expect(await tokens.redeem(first, T0 + 2 * S)).toEqual({ ok: false, reason: 'reused', grant: GRANT })
    expect(await tokens.redeem(second.refreshToken, T0 + 3 * S)).toEqual({ ok: false, reason: 'revoked', grant: GRANT })
  })

  it('refuses an unknown token, an idle one and one past the family lifetime', async () => {
    const tokens = await open()
    expect(await tokens.redeem('not-a-token', T0)).toEqual({ ok: false, reason: 'unknown' })
    const idle = await tokens.issue(GRANT, T0)
    expect(await tokens.redeem(idle, T0 + 60 * S)).toEqual({ ok: false, reason: 'expired', grant: GRANT })
    let token = await tokens.issue(GRANT, T0)
    for (let at = T0 + 50 * S; at < T0 + 300 * S; at += 50 * S) {
      const next = await tokens.redeem(token, at)
      if (!next.ok) throw new Error(`refused at ${at - T0} ms: ${next.reason}`)
      token = next.refreshToken
    }
    expect(await tokens.redeem(token, T0 + 300 * S)).toEqual({ ok: false, reason: 'expired', grant: GRANT })
  })

  it('leaves the token unused when the caller\'s check refuses it', async () => {
    const tokens = await open()
    const token = await tokens.issue(GRANT, T0)
    expect(await tokens.redeem(token, T0 + S, () => 'wrong client')).toEqual({ ok: false, reason: 'refused', refusal: 'wrong client' })
    expect(await tokens.redeem(token, T0 + S)).toMatchObject({ ok: true })
  })

  it('revokes a family for its own client only', async () => {
    const tokens = await open()
    const token = await tokens.issue(GRANT, T0)
    expect(await tokens.revoke(token, 'other-client', T0 + S)).toBe('other-client')
    expect(await tokens.revoke('not-a-token', 'demo-client', T0 + S)).toBe('unknown')
    expect(await tokens.revoke(token, 'demo-client', T0 + S)).toBe('revoked')
    expect(await tokens.redeem(token, T0 + 2 * S)).toEqual({ ok: false, reason: 'revoked', grant: GRANT })
  })

  it('with no grace period, lets exactly one of several processes redeem one token at the same moment', async () => {
    const location = await freshLocation(engine)
    const processes = await Promise.all([1, 2, 3, 4].map(async () => storeOn(await openTestDatabase(location))))
    const token = await processes[0]!.issue(GRANT, T0)
    const outcomes = await Promise.all(processes.map((tokens) => tokens.redeem(token, T0 + S)))
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1)
    // The first loser presented a used token: reuse, so the family (the winner's successor too) dies,
    // and the others find it revoked.
    expect(outcomes.map((outcome) => outcome.ok ? 'ok' : outcome.reason).sort()).toEqual(['ok', 'reused', 'revoked', 'revoked'])
  })

  describe(`within the reuse grace period (${GRACE} ms)`, () => {
    const successorOf = (redemption: Redemption | { ok: false, reason: string }) => {
      if (!redemption.ok) throw new Error(`refused: ${redemption.reason}`)
      return redemption.refreshToken
    }
    async function rotated (graceMs = GRACE) {
      const location = await freshLocation(engine)
      const db = await openTestDatabase(location)
      const tokens = storeOn(db, { ...LIFETIMES, reuseGraceMs: graceMs })
      const first = await tokens.issue(GRANT, T0)
      const second = successorOf(await tokens.redeem(first, T0 + S))
      return { db, location, tokens, first, second }
    }

    it('gives the rotated token the same successor again, without a new rotation', async () => {
      const { tokens, first, second } = await rotated()
      const replayed = { ok: true, grant: GRANT, refreshToken: second, replayed: true }
      expect(await tokens.redeem(first, T0 + S + GRACE - 1)).toEqual(replayed)
      expect(await tokens.redeem(first, T0 + S + GRACE - 1)).toEqual(replayed)
      // The family is intact: the successor rotates as usual.
      expect(await tokens.redeem(second, T0 + 2 * S)).toMatchObject({ ok: true, grant: GRANT })
    })

    it('counts the rotated token as reuse from the end of the grace period on, and revokes the family', async () => {
      const { tokens, first, second } = await rotated()
      expect(await tokens.redeem(first, T0 + S + GRACE)).toEqual({ ok: false, reason: 'reused', grant: GRANT })
      expect(await tokens.redeem(second, T0 + S + GRACE)).toEqual({ ok: false, reason: 'revoked', grant: GRANT })
    })

    it('counts it as reuse once the successor has been used, however soon', async () => {
      const { tokens, first, second } = await rotated()
      successorOf(await tokens.redeem(second, T0 + 2 * S))
      expect(await tokens.redeem(first, T0 + 3 * S)).toEqual({ ok: false, reason: 'reused', grant: GRANT })
      expect(await tokens.redeem(second, T0 + 3 * S)).toEqual({ ok: false, reason: 'revoked', grant: GRANT })
    })

    it('refuses another client and leaves the family alone', async () => {
      const { tokens, first, second } = await rotated()
      const otherClient = (grant: { clientId: string }) => grant.clientId === 'thief' ? undefined : 'wrong client'
      expect(await tokens.redeem(first, T0 + 2 * S, otherClient))
        .toEqual({ ok: false, reason: 'refused', refusal: 'wrong client' })
      expect(await tokens.redeem(first, T0 + 2 * S)).toMatchObject({ ok: true, refreshToken: second, replayed: true })
    })

    it('gives nothing back after a logout', async () => {
      const { tokens, first } = await rotated()
      expect(await tokens.revoke(first, GRANT.clientId, T0 + 2 * S)).toBe('revoked')
      expect(await tokens.redeem(first, T0 + 3 * S)).toEqual({ ok: false, reason: 'revoked', grant: GRANT })
    })

    const SEALED = 'SELECT successor_sealed FROM refresh_tokens WHERE token_hash = $1'
    const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url')

    it('keeps the successor sealed: the database alone does not give it', async () => {
      const { db, first, second } = await rotated()
      const firstHash = hashOf(first)
      const sealed = (await db.get<{ successor_sealed: string }>(SEALED, [firstHash]))?.successor_sealed as string
      expect(sealed).toMatch(/^[\w-]{16}\.[\w-]{58}\.[\w-]{22}$/)
      // What a database reader has (the hash) opens nothing; the presented token does.
      expect(openSuccessor(firstHash, firstHash, sealed)).toBeUndefined()
      expect(openSuccessor(first, firstHash, sealed)).toBe(second)
    })

    it('stores no sealed successor when the grace period is off', async () => {
      const { db, first } = await rotated(0)
      expect(await db.get(SEALED, [hashOf(first)])).toEqual({ successor_sealed: null })
    })

    it('rotates once when several processes redeem one token at the same moment: all get its successor', async () => {
      const location = await freshLocation(engine)
      const lifetimes = { ...LIFETIMES, reuseGraceMs: GRACE }
      const processes = await Promise.all([1, 2, 3, 4].map(async () =>
        storeOn(await openTestDatabase(location), lifetimes)))
      const token = await processes[0]!.issue(GRANT, T0)
      const outcomes = await Promise.all(processes.map((tokens) => tokens.redeem(token, T0 + S)))
      const successors = outcomes.map(successorOf)
      expect(new Set(successors).size).toBe(1)
      expect(outcomes.filter((outcome) => outcome.ok && outcome.replayed)).toHaveLength(3)
      const db = await openTestDatabase(location)
      const count = await db.get<{ n: number }>('SELECT count(*) AS n FROM refresh_tokens')
      expect(Number(count?.n)).toBe(2)
    })
  })
})
