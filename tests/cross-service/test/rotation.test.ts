import { afterEach, describe, expect, it, vi } from 'vitest'
import { call, tokenFor } from '@repo/service-harness/http'
import { keepTokenFresh, runLoad } from '../src/load.js'
import { startPair, type Pair } from '../src/pair.js'
import { softHsmToken } from '../src/softhsm.js'
import { freePort } from '@repo/service-harness/free-port'
import { keyEvents, runAuthCli, startService } from '@repo/service-harness/service-process'

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string

async function publishedKids (issuer: string): Promise<string[]> {
  const { keys } = await (await fetch(`${issuer}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> }
  return keys.map((key) => key.kid)
}

/** Short but valid timing: JWKS cached 1 s, new keys prepublished 2 s, key state polled every 100 ms. */
// These tests log in every 100 ms from one address, as no person does: the per-IP login limit is lifted.
const FAST_KEYS = { JWKS_MAX_AGE: '1s', KEY_PREPUBLISH: '2s', KEY_STATE_POLL: '100ms', CLOCK_TOLERANCE: '0s', LOGIN_RATE_LIMIT: '100000/1m' }
const FAST_CONSUMER = { JWKS_CACHE_TTL: '1s', JWKS_COOLDOWN: '1s', CLOCK_TOLERANCE: '0s' }

describe('key rotation across the two processes', () => {
  let pair: Pair | undefined
  afterEach(async () => { await pair?.stop(); pair = undefined })

  it('rotates under load without a single failed request', async () => {
    pair = await startPair(FAST_KEYS, FAST_CONSUMER)
    const { auth, consumer, authEnv } = pair
    const stop = new AbortController()
    const tokens = keepTokenFresh(() => tokenFor(auth.url, 'Jane', 'pass123'), 100, stop.signal)
    await tokens.ready
    const oldKid = kidOf(tokens.state.token)
    const load = runLoad(`${consumer.url}/api/v1/protected`, () => tokens.state.token, 8, stop.signal)

    await vi.waitUntil(() => load.progress.total >= 200, { timeout: 10_000, interval: 20 })
    const rotated = await runAuthCli('keys', ['rotate'], authEnv)
    expect(rotated.code, rotated.stderr).toBe(0)
    const newKid = /next key (\S+) is published/.exec(rotated.stdout)?.[1] as string
    expect(newKid).toMatch(/^[A-Za-z0-9_-]{43}$/)

    // Keep going until fresh tokens carry the new kid, and until 200 more requests used them.
    await vi.waitUntil(() => tokens.state.seenKids.has(newKid), { timeout: 15_000, interval: 50 })
    const switched = load.progress.total
    await vi.waitUntil(() => load.progress.total >= switched + 200, { timeout: 10_000, interval: 20 })
    stop.abort()
    const result = await load.done
    await tokens.done

    console.log(`rotation under load: ${result.total} requests, ${result.non2xx} non-2xx, statuses ${JSON.stringify(result.byStatus)}`)
    expect([...tokens.state.seenKids]).toEqual([oldKid, newKid])
    expect(result.errors).toEqual([])
    expect(result.non2xx).toBe(0)
    expect(result.total).toBeGreaterThan(200)
  })

  it('rotates under load with the keys in a SoftHSM token, and destroys the retired key in it', async () => {
    const token = await softHsmToken()
    try {
      // Tokens live 2 s, so the old key retires 4 s after the new one signs (the least the rules allow).
      pair = await startPair({
        ...FAST_KEYS,
        ...token.env,
        SIGNING_ALG: 'ES256',
        TOKEN_TTL: '2s',
        KEY_RETIRE_AFTER: '4s'
      }, FAST_CONSUMER)
      const { auth, consumer, authEnv } = pair
      const stop = new AbortController()
      const tokens = keepTokenFresh(() => tokenFor(auth.url, 'Jane', 'pass123'), 100, stop.signal)
      await tokens.ready
      const oldKid = kidOf(tokens.state.token)
      expect(token.holds(oldKid)).toBe(true)
      const load = runLoad(`${consumer.url}/api/v1/protected`, () => tokens.state.token, 8, stop.signal)

      await vi.waitUntil(() => load.progress.total >= 200, { timeout: 10_000, interval: 20 })
      // The keys CLI generates the next key in the token, in a process of its own.
      const rotated = await runAuthCli('keys', ['rotate'], authEnv)
      expect(rotated.code, rotated.stderr).toBe(0)
      const newKid = /next key (\S+) is published/.exec(rotated.stdout)?.[1] as string
      expect(newKid).toMatch(/^[A-Za-z0-9_-]{43}$/)
      await vi.waitUntil(() => tokens.state.seenKids.has(newKid), { timeout: 15_000, interval: 50 })
      const switched = load.progress.total
      await vi.waitUntil(() => load.progress.total >= switched + 200, { timeout: 10_000, interval: 20 })
      stop.abort()
      const result = await load.done
      await tokens.done

      console.log(`rotation under load, keys in SoftHSM: ${result.total} requests, ${result.non2xx} non-2xx`)
      expect([...tokens.state.seenKids]).toEqual([oldKid, newKid])
      expect(result.errors).toEqual([])
      expect(result.non2xx).toBe(0)
      expect(result.total).toBeGreaterThan(200)
      // The old key retires on schedule and leaves the token; the new one stays.
      await vi.waitUntil(async () => (await keyEvents(authEnv))
        .some((event) => event.event === 'key_retired' && event.kid === oldKid), { timeout: 15_000, interval: 200 })
      await vi.waitUntil(() => !token.holds(oldKid), { timeout: 5000, interval: 100 })
      expect(token.holds(newKid)).toBe(true)
    } finally {
      await pair?.stop()
      pair = undefined
      await token.remove()
    }
  })

  it('runs the schedule: next → active → retiring → retired, with the JWKS matching each step', async () => {
    pair = await startPair({
      ...FAST_KEYS, KEY_ROTATION_INTERVAL: '6s', TOKEN_TTL: '1s', KEY_RETIRE_AFTER: '3s'
    }, FAST_CONSUMER)
    const { auth, issuer, authEnv } = pair
    const [first] = await publishedKids(issuer)
    const sets: string[][] = []
    const signers: string[] = []
    // Watch the JWKS and the signer until the third key signs: about 12 s. Each key signs 6 s, stays
    // published 3 s after and is published 2 s before, so no three keys are ever published at once.
    await vi.waitUntil(async () => {
      const kids = await publishedKids(issuer)
      if (JSON.stringify(kids) !== JSON.stringify(sets.at(-1))) sets.push(kids)
      const signer = kidOf(await tokenFor(auth.url, 'John', 'testpass'))
      if (signer !== signers.at(-1)) signers.push(signer)
      return signers.length >= 3 && sets.length >= 4
    }, { timeout: 25_000, interval: 100 })
    const events = await keyEvents(authEnv)
    const second = events.find((event) => event.event === 'key_created' && event.kid !== first)?.kid as string
    const third = events.find((event) => event.event === 'key_created' && event.kid !== first && event.kid !== second)?.kid as string
    const history = (kid: string) => events.filter((event) => event.kid === kid).map((event) => event.event)

    expect(history(first as string)).toEqual(['key_created', 'key_activated', 'key_retiring', 'key_retired'])
    expect(history(second).slice(0, 3)).toEqual(['key_created', 'key_activated', 'key_retiring'])
    expect(history(third).slice(0, 2)).toEqual(['key_created', 'key_activated'])
    // Published before signing, kept after: [A] → [A,B] (B next, then A retiring) → [B] → [B,C] → ...
    expect(sets.slice(0, 4)).toEqual([[first], [first, second], [second], [second, third]])
    expect(signers.slice(0, 3)).toEqual([first, second, third])
  })

  it('revokes a key: gone from the JWKS at once, refused by the consumer within the documented bound', async () => {
    pair = await startPair(FAST_KEYS, FAST_CONSUMER)
    const { auth, consumer, authEnv, issuer } = pair
    const token = await tokenFor(auth.url, 'Jane', 'pass123')
    const kid = kidOf(token)
    expect((await call(`${consumer.url}/api/v1/protected`, token)).status).toBe(200)

    const revoked = await runAuthCli('keys', ['revoke', kid], authEnv)
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toContain(`key_revoked ${kid}`)
    expect(revoked.stdout).toMatch(/within 1 s\n\(JWKS_MAX_AGE\)/)
    const started = Date.now()

    await expect.poll(() => publishedKids(issuer), { timeout: 1000, interval: 50 }).not.toContain(kid)
    await expect.poll(async () => (await call(`${consumer.url}/api/v1/protected`, token)).status, { timeout: 4000, interval: 100 }).toBe(401)
    const refusedAfterMs = Date.now() - started
    console.log(`revoked key refused by the consumer after ${refusedAfterMs} ms (bound: the consumer's JWKS_CACHE_TTL 1 s + the auth service's key-state poll 0.1 s)`)
    expect(refusedAfterMs).toBeLessThan(2100 + 500)

    const fresh = await tokenFor(auth.url, 'Jane', 'pass123')
    expect(kidOf(fresh)).not.toBe(kid)
    await expect.poll(async () => (await call(`${consumer.url}/api/v1/protected`, fresh)).status, { timeout: 3000 }).toBe(200)
  })

  it('lets one of two auth processes on one DATA_DIR rotate, and both serve the same JWKS', async () => {
    const first = pair = await startPair({ ...FAST_KEYS, KEY_ROTATION_INTERVAL: '4s' }, FAST_CONSUMER)
    const second = startService('auth-service', await freePort(), first.authEnv)
    try {
      await second.waitUntilReady()
      // Run until one of the two has rotated (a 4 s interval) and the other has seen it.
      const created = async () => (await keyEvents(first.authEnv)).filter((event) => event.event === 'key_created')
      await vi.waitUntil(async () => (await created()).length >= 2, { timeout: 15_000, interval: 100 })
      // Both serve the same set; right at a transition one may lag by a poll interval (100 ms).
      const bothServe = async () => {
        const [a, b] = await Promise.all([publishedKids(first.issuer), publishedKids(second.url)])
        return JSON.stringify(a) === JSON.stringify(b) ? a : undefined
      }
      await expect.poll(bothServe, { timeout: 1000, interval: 50 }).toBeDefined()
      // Stop both first, so no key is created meanwhile.
      await Promise.all([first.auth.stop(), second.stop()])
      // Every key in the database was created by exactly one of the two processes, and there was a rotation.
      const stored = JSON.parse((await runAuthCli('keys', ['list', '--json'], first.authEnv)).stdout) as Array<{ kid: string }>
      const history = await created()
      expect(history.map((event) => event.kid).sort()).toEqual(stored.map((key) => key.kid).sort())
      const creators = [first.auth.instanceId, second.instanceId]
      expect(history.filter((event) => !creators.includes(event.by))).toEqual([])
      expect(history.length).toBeGreaterThanOrEqual(2)
    } finally {
      await second.stop()
    }
  })
})
