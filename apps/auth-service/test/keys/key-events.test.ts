import { describe, expect, it } from 'vitest'
import { openSqlDatabase } from '@repo/service-kit/sql'
import { DATABASE_FILE } from '../../src/db/open-auth-database.js'
import { AUTH_MIGRATIONS } from '../../src/db/schema.js'
import type { KeyEvent } from '../../src/keys/key-events.js'
import { KeyLifecycle, type RotationPolicy } from '../../src/keys/key-lifecycle.js'
import { KeyStore } from '../../src/keys/key-store.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { testCustody } from '../test-custody.js'

const S = 1000
const POLICY: RotationPolicy = {
  alg: 'ES256', rotationIntervalMs: 100 * S, prepublishMs: 10 * S, retireAfterMs: 20 * S
}
const T0 = Date.UTC(2030, 0, 1)

const at = (time: number, by: string) => (event: KeyEvent) => ({ ...event, time, by })

describe.each(ENGINES)('the key history on %s', (engine: Engine) => {
  it('holds one row per transition, with its time and the process that performed it', async () => {
    const location = await freshLocation(engine)
    const replica = new KeyStore(await openTestDatabase(location), 'host/1')
    const cli = new KeyStore(await openTestDatabase(location), 'keys-cli:host/2')
    const keys = new KeyLifecycle(replica, POLICY, testCustody.generate)
    const operator = new KeyLifecycle(cli, POLICY, testCustody.generate)

    const expected = [
      ...(await keys.tick(T0)).map(at(T0, 'host/1')),
      ...(await operator.rotate(T0 + S)).events.map(at(T0 + S, 'keys-cli:host/2')),
      ...(await keys.tick(T0 + 11 * S)).map(at(T0 + 11 * S, 'host/1')),
      ...(await keys.tick(T0 + 31 * S)).map(at(T0 + 31 * S, 'host/1'))
    ]
    const active = (await replica.inState('active'))[0]?.kid as string
    expected.push(...(await operator.revoke(active, T0 + 40 * S)).map(at(T0 + 40 * S, 'keys-cli:host/2')))

    expect(expected.map((event) => event.event)).toEqual([
      'key_created', 'key_activated', 'key_created', 'key_retiring', 'key_activated', 'key_retired',
      'key_revoked', 'key_created', 'key_activated'
    ])
    expect(await replica.events()).toEqual(expected)
    expect(await cli.events()).toEqual(expected)
  })

  it('writes nothing for a transaction that fails, nor for a transition that changes no key', async () => {
    const store = new KeyStore(await openTestDatabase(await freshLocation(engine)), 'host/1')
    const key = await testCustody.generate('ES256')
    await expect(store.transaction(async (keys) => {
      await keys.insertActive(key, T0)
      throw new Error('fails after the insert')
    })).rejects.toThrow('fails after the insert')
    expect(await store.all()).toEqual([])
    expect(await store.events()).toEqual([])

    await store.transaction((keys) => keys.insertActive(key, T0))
    // Already active: not `next`, so nothing moves and nothing is recorded.
    await store.transaction((keys) => keys.activate(key.kid, T0 + S))
    expect((await store.events()).map((event) => event.event)).toEqual(['key_created', 'key_activated'])
  })

  it('refuses a transition outside a transaction, where its history row could be lost', async () => {
    const store = new KeyStore(await openTestDatabase(await freshLocation(engine)), 'host/1')
    const key = await testCustody.generate('ES256')
    await expect(store.insertActive(key, T0)).rejects.toThrow('inside KeyStore.transaction')
    expect(await store.all()).toEqual([])
  })

  it('adds the key history to a database made before it', async () => {
    const location = await freshLocation(engine)
    // The schema up to, not including, the migration that adds the history.
    const before = (migrations: readonly string[]) =>
      migrations.slice(0, migrations.findIndex((sql) => sql.includes('CREATE TABLE key_events')))
    const old = await openSqlDatabase(location, DATABASE_FILE, {
      component: AUTH_MIGRATIONS.component,
      sqlite: before(AUTH_MIGRATIONS.sqlite),
      postgres: before(AUTH_MIGRATIONS.postgres)
    })
    await expect(old.all('SELECT * FROM key_events')).rejects.toThrow()
    await old.close()

    const store = new KeyStore(await openTestDatabase(location), 'host/1')
    await new KeyLifecycle(store, POLICY, testCustody.generate).tick(T0)
    expect((await store.events()).map((event) => event.event)).toEqual(['key_created', 'key_activated'])
  })
})
