import { describe, expect, it } from 'vitest'
import type { DatabaseLocation } from '@repo/service-kit/sql'
import type { KeyEvent } from '../../src/keys/key-events.js'
import { KeyLifecycle, UnknownKeyError, type RotationPolicy } from '../../src/keys/key-lifecycle.js'
import { KeyStore } from '../../src/keys/key-store.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { testCustody } from '../test-custody.js'

const S = 1000
const POLICY: RotationPolicy = { alg: 'ES256', rotationIntervalMs: 100 * S, prepublishMs: 10 * S, retireAfterMs: 20 * S }
const T0 = Date.UTC(2030, 0, 1)

/** The lifecycle of one process on the database at `location` (a connection of its own). */
async function processOn (location: DatabaseLocation, policy: RotationPolicy = POLICY) {
  const db = await openTestDatabase(location)
  const store = new KeyStore(db)
  return { store, location, keys: new KeyLifecycle(store, policy, testCustody.generate), close: () => db.close() }
}

const states = async (store: KeyStore) => (await store.all()).map((key) => key.state)
const published = async (store: KeyStore) => (await store.published()).map((key) => key.kid)
const activeKid = async (store: KeyStore) => (await store.active('ES256'))?.kid as string

describe.each(ENGINES)('the key lifecycle on %s', (engine: Engine) => {
  const lifecycle = async () => processOn(await freshLocation(engine))

  it('moves keys through next → active → retiring → retired on schedule', async () => {
    const { store, keys, close } = await lifecycle()
    const first = await keys.tick(T0)
    const a = await activeKid(store)
    expect(first).toEqual([{ event: 'key_created', kid: a, alg: 'ES256' }, { event: 'key_activated', kid: a, alg: 'ES256' }])

    expect(await keys.tick(T0 + 89 * S)).toEqual([])
    const prepublished = await keys.tick(T0 + 90 * S)
    const b = (await store.inState('next'))[0]?.kid as string
    expect(prepublished).toEqual([{ event: 'key_created', kid: b, alg: 'ES256' }])
    expect((await store.find(b))?.activatesAt).toBe(T0 + 100 * S)
    expect(await published(store)).toEqual([a, b])

    expect(await keys.tick(T0 + 99 * S)).toEqual([])
    expect(await keys.tick(T0 + 100 * S)).toEqual([
      { event: 'key_retiring', kid: a, alg: 'ES256' },
      { event: 'key_activated', kid: b, alg: 'ES256' }
    ])
    expect(await store.find(a)).toMatchObject({ state: 'retiring', retiresAt: T0 + 120 * S })
    expect(await published(store)).toEqual([a, b])

    expect(await keys.tick(T0 + 119 * S)).toEqual([])
    expect(await keys.tick(T0 + 120 * S)).toEqual([{ event: 'key_retired', kid: a, alg: 'ES256' }])
    expect(await store.find(a)).toMatchObject({ state: 'retired', privateKey: null, revokedAt: null })
    expect(await published(store)).toEqual([b])
    expect(await states(store)).toEqual(['retired', 'active'])
    await close()
  })

  it('keeps a prepublished key out of signing until its time, even when prepublishing starts late', async () => {
    const { store, keys, close } = await lifecycle()
    await keys.tick(T0)
    // The service was down through the prepublish window: the next key still gets its full 10 s.
    await keys.tick(T0 + 150 * S)
    expect((await store.inState('next'))[0]?.activatesAt).toBe(T0 + 160 * S)
    expect(await keys.tick(T0 + 159 * S)).toEqual([])
    expect((await keys.tick(T0 + 160 * S)).map((event) => event.event)).toEqual(['key_retiring', 'key_activated'])
    await close()
  })

  it('starts a manual rotation with a prepublished key, once', async () => {
    const { store, keys, close } = await lifecycle()
    await keys.tick(T0)
    const { next, events } = await keys.rotate(T0 + 5 * S)
    expect(events).toEqual([{ event: 'key_created', kid: next.kid, alg: 'ES256' }])
    expect(next).toMatchObject({ state: 'next', activatesAt: T0 + 15 * S })
    const again = await keys.rotate(T0 + 6 * S)
    expect(again).toEqual({ next, events: [] })
    expect(await keys.tick(T0 + 15 * S)).toContainEqual({ event: 'key_activated', kid: next.kid, alg: 'ES256' })
    expect(await activeKid(store)).toBe(next.kid)
    await close()
  })

  it('revokes the signing key at once and signs with a new one', async () => {
    const { store, keys, close } = await lifecycle()
    await keys.tick(T0)
    const a = await activeKid(store)
    const events = await keys.revoke(a, T0 + S)
    const b = await activeKid(store)
    expect(b).not.toBe(a)
    expect(events).toEqual([
      { event: 'key_revoked', kid: a, alg: 'ES256' },
      { event: 'key_created', kid: b, alg: 'ES256' },
      { event: 'key_activated', kid: b, alg: 'ES256' }
    ])
    expect(await store.find(a)).toMatchObject({ state: 'retired', privateKey: null, revokedAt: T0 + S })
    expect(await published(store)).toEqual([b])
    await close()
  })

  it('revokes the signing key without a moment in which another process finds none to sign with', async () => {
    const location = await freshLocation(engine)
    const other = await processOn(location)
    await other.keys.tick(T0)
    const a = await activeKid(other.store)
    // While the revoking process makes the replacement (an RSA key takes a while), another process
    // looks at the keys and runs its schedule, as a replica does on the change notification.
    const seen: Array<{ active: string | undefined, events: KeyEvent[] }> = []
    const revoking = new KeyLifecycle(new KeyStore(await openTestDatabase(location)), POLICY, async (alg) => {
      seen.push({ active: await activeKid(other.store), events: await other.keys.tick(T0 + S) })
      return testCustody.generate(alg)
    })
    const events = await revoking.revoke(a, T0 + S)
    const b = await activeKid(other.store)
    expect(seen).toEqual([{ active: a, events: [] }])
    expect(events).toEqual([
      { event: 'key_revoked', kid: a, alg: 'ES256' },
      { event: 'key_created', kid: b, alg: 'ES256' },
      { event: 'key_activated', kid: b, alg: 'ES256' }
    ])
    expect(await published(other.store)).toEqual([b])
    await other.close()
  })

  it('promotes the prepublished key when the signing key is revoked', async () => {
    const { store, keys, close } = await lifecycle()
    await keys.tick(T0)
    const { next } = await keys.rotate(T0)
    const a = await activeKid(store)
    await keys.revoke(a, T0 + S)
    expect(await activeKid(store)).toBe(next.kid)
    await close()
  })

  it.each([['an unknown kid', 'nope'], ['an already retired key', 'retired']])('refuses to revoke %s', async (_case, which) => {
    const { store, keys, close } = await lifecycle()
    await keys.tick(T0)
    let kid = which
    if (which === 'retired') {
      kid = await activeKid(store)
      await keys.revoke(kid, T0)
    }
    await expect(keys.revoke(kid, T0)).rejects.toBeInstanceOf(UnknownKeyError)
    await close()
  })

  it('lets exactly one of several processes perform each scheduled transition', async () => {
    const location = await freshLocation(engine)
    const replicas = await Promise.all([1, 2, 3].map(() => processOn(location)))
    const ticks = async (at: number) => (await Promise.all(replicas.map(({ keys }) => keys.tick(at)))).flat()

    expect((await ticks(T0)).filter((event) => event.event === 'key_created')).toHaveLength(1)
    expect(await ticks(T0 + 90 * S)).toHaveLength(1)
    expect((await ticks(T0 + 100 * S)).map((event) => event.event)).toEqual(['key_retiring', 'key_activated'])
    expect(await ticks(T0 + 120 * S)).toHaveLength(1)
    expect(await states(replicas[0]!.store)).toEqual(['retired', 'active'])
    await Promise.all(replicas.map(({ close }) => close()))
  })

  it('does not schedule the successor of a key that stopped signing while the successor was made', async () => {
    const location = await freshLocation(engine)
    const other = await processOn(location)
    await other.keys.tick(T0)
    const a = await activeKid(other.store)
    // At 90 s this process starts making a's successor; meanwhile another process revokes a, and
    // its replacement b signs from then on: b's successor signs from 190 s, not from a's 100 s.
    let revoked = false
    const prepublishing = new KeyLifecycle(new KeyStore(await openTestDatabase(location)), POLICY, async (alg) => {
      if (!revoked) await other.keys.revoke(a, T0 + 90 * S)
      revoked = true
      return testCustody.generate(alg)
    })
    expect(await prepublishing.tick(T0 + 90 * S)).toEqual([])
    const b = await activeKid(other.store)
    expect(await states(other.store)).toEqual(['retired', 'active'])
    expect(await prepublishing.tick(T0 + 179 * S)).toEqual([])
    expect((await prepublishing.tick(T0 + 180 * S)).map((event) => event.event)).toEqual(['key_created'])
    expect((await other.store.inState('next'))[0]?.activatesAt).toBe(T0 + 190 * S)
    expect(await activeKid(other.store)).toBe(b)
    await other.close()
  })

  it('changes algorithm by the ordinary rotation: the new key is prepublished while the old one signs', async () => {
    const location = await freshLocation(engine)
    const rsa = await processOn(location, { ...POLICY, alg: 'RS256' })
    await rsa.keys.tick(T0)
    const a = (await rsa.store.active('RS256'))?.kid as string
    await rsa.close()
    const ec = await processOn(location)
    const prepublished = await ec.keys.tick(T0 + S)
    const b = (await ec.store.inState('next', 'ES256'))[0]?.kid as string
    expect(prepublished).toEqual([{ event: 'key_created', kid: b, alg: 'ES256' }])
    expect((await ec.store.published()).map((key) => `${key.alg}:${key.state}`)).toEqual(['RS256:active', 'ES256:next'])
    expect((await ec.store.find(b))?.activatesAt).toBe(T0 + 11 * S)

    expect(await ec.keys.tick(T0 + 11 * S - 1)).toEqual([])
    expect(await ec.keys.tick(T0 + 11 * S)).toEqual([
      { event: 'key_retiring', kid: a, alg: 'RS256' },
      { event: 'key_activated', kid: b, alg: 'ES256' }
    ])
    expect(await ec.store.find(a)).toMatchObject({ state: 'retiring', retiresAt: T0 + 31 * S })
    expect(await ec.keys.tick(T0 + 31 * S)).toEqual([{ event: 'key_retired', kid: a, alg: 'RS256' }])
    expect((await ec.store.published()).map((key) => `${key.alg}:${key.state}`)).toEqual(['ES256:active'])
    await ec.close()
  })

  it('lets exactly one of several processes make and perform the change of algorithm', async () => {
    const location = await freshLocation(engine)
    const rsa = await processOn(location, { ...POLICY, alg: 'RS256' })
    await rsa.keys.tick(T0)
    await rsa.close()
    const replicas = await Promise.all([1, 2, 3].map(() => processOn(location)))
    const ticks = async (at: number) => (await Promise.all(replicas.map(({ keys }) => keys.tick(at)))).flat()
    expect((await ticks(T0 + S)).map((event) => `${event.event}:${event.alg}`)).toEqual(['key_created:ES256'])
    expect((await ticks(T0 + 11 * S)).map((event) => `${event.event}:${event.alg}`)).toEqual(['key_retiring:RS256', 'key_activated:ES256'])
    expect((await replicas[0]!.store.published()).map((key) => `${key.alg}:${key.state}`)).toEqual(['RS256:retiring', 'ES256:active'])
    await Promise.all(replicas.map(({ close }) => close()))
  })

  it('drops a rotation of the old algorithm under way, and lets a revocation promote the new key early', async () => {
    const location = await freshLocation(engine)
    const rsa = await processOn(location, { ...POLICY, alg: 'RS256' })
    await rsa.keys.tick(T0)
    const stale = (await rsa.keys.rotate(T0)).next.kid
    await rsa.close()
    const ec = await processOn(location)
    await ec.keys.tick(T0 + S)
    const b = (await ec.store.inState('next', 'ES256'))[0]?.kid as string
    // A manual rotation meanwhile is the switch already under way.
    expect((await ec.keys.rotate(T0 + 2 * S)).next.kid).toBe(b)
    const events = await ec.keys.tick(T0 + 11 * S)
    expect(events).toContainEqual({ event: 'key_retired', kid: stale, alg: 'RS256' })
    expect(await activeKid(ec.store)).toBe(b)

    const other = await processOn(await freshLocation(engine), { ...POLICY, alg: 'RS256' })
    await other.keys.tick(T0)
    const signing = (await other.store.active('RS256'))?.kid as string
    const switching = await processOn(other.location)
    await switching.keys.tick(T0 + S)
    const next = (await switching.store.inState('next', 'ES256'))[0]?.kid as string
    expect((await switching.keys.revoke(signing, T0 + 2 * S)).map((event) => `${event.event}:${event.alg}`))
      .toEqual(['key_revoked:RS256', 'key_activated:ES256'])
    expect(await activeKid(switching.store)).toBe(next)
    await Promise.all([ec.close(), other.close(), switching.close()])
  })
})
