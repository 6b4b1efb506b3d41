import { describe, expect, it } from 'vitest'
import type { SqlDatabase, SqlValue } from '@repo/service-kit/sql'
import { PURGE_LOCK, purgeUnlessBusy } from '../../src/maintenance/purge-schedule.js'
import { freshLocation, openTestDatabase } from '../databases.js'
import { insertRow, keysOf, REACH, RULES, T0 } from './purge-fixture.js'

/** `db`, with every DELETE held until `open()` is called. */
function heldDeletes (db: SqlDatabase): { db: SqlDatabase, entered: Promise<void>, open: () => void } {
  let open = () => {}
  let enter = () => {}
  const gate = new Promise<void>((resolve) => { open = resolve })
  const entered = new Promise<void>((resolve) => { enter = resolve })
  const held: SqlDatabase = {
    dialect: db.dialect,
    all: (sql, params) => db.all(sql, params),
    get: (sql, params) => db.get(sql, params),
    run: async (sql: string, params?: readonly SqlValue[]) => {
      if (sql.startsWith('DELETE')) {
        enter()
        await gate
      }
      return db.run(sql, params)
    },
    transaction: (lock, work) => db.transaction(lock, work),
    watch: (channel, onChange) => db.watch(channel, onChange),
    close: () => db.close()
  }
  return { db: held, entered, open }
}

describe('the purge on PostgreSQL replicas', () => {
  it('runs on one replica at a time: another one skips while it purges, and purges once it is done', async () => {
    const location = await freshLocation('postgres')
    const first = await openTestDatabase(location)
    const second = await openTestDatabase(location)
    await insertRow(first, 'refresh_tokens', 'old', T0 - REACH)
    const held = heldDeletes(first)
    const purging = purgeUnlessBusy({ db: held.db, rules: RULES, batchSize: 1000 }, T0)
    await held.entered
    expect(await purgeUnlessBusy({ db: second, rules: RULES, batchSize: 1000 }, T0)).toBeUndefined()
    held.open()
    expect(await purging).toMatchObject({ refresh_tokens: 1 })
    expect(await keysOf(first, 'refresh_tokens')).toEqual([])
    const again = await purgeUnlessBusy({ db: second, rules: RULES, batchSize: 1000 }, T0)
    expect(again).toMatchObject({ refresh_tokens: 0 })
  })

  it('skips while another process holds the purge lock', async () => {
    const location = await freshLocation('postgres')
    const db = await openTestDatabase(location)
    const other = await openTestDatabase(location)
    await insertRow(db, 'auth_dpop_proofs', 'old', T0)
    await other.transaction('test', async (tx) => {
      await tx.get('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [PURGE_LOCK])
      expect(await purgeUnlessBusy({ db, rules: RULES, batchSize: 1000 }, T0)).toBeUndefined()
    })
    expect(await keysOf(db, 'auth_dpop_proofs')).toEqual(['old'])
    expect(await purgeUnlessBusy({ db, rules: RULES, batchSize: 1000 }, T0)).toMatchObject({ auth_dpop_proofs: 1 })
  })
})
