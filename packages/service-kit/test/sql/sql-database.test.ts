import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, it, onTestFinished } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { createTestDatabase } from '@repo/service-harness/postgres-server'
import { openSqlDatabase, type DatabaseLocation, type Migrations, type SqlDatabase } from '../../src/sql/index.js'

const MIGRATIONS: Migrations = {
  component: 'test',
  sqlite: ['CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)'],
  postgres: [
    `CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
     CREATE FUNCTION notify_counters() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('counters_changed', ''); RETURN NULL; END $$;
     CREATE TRIGGER counters_changed AFTER INSERT OR UPDATE ON counters FOR EACH STATEMENT EXECUTE FUNCTION notify_counters();`
  ]
}

async function freshLocation (engine: 'sqlite' | 'postgres'): Promise<DatabaseLocation> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sql-test-'))
  onTestFinished(() => rm(dataDir, { recursive: true, force: true }))
  return engine === 'sqlite' ? { dataDir } : { dataDir, databaseUrl: await createTestDatabase(inject('postgresAdminUrl')) }
}

async function open (location: DatabaseLocation): Promise<SqlDatabase> {
  const db = await openSqlDatabase(location, 'test.db', MIGRATIONS)
  onTestFinished(() => db.close())
  return db
}

/** Reads, waits a turn of the event loop, then writes: what a lost update needs to happen. */
async function slowIncrement (db: SqlDatabase) {
  await db.transaction('counters', async (tx) => {
    const row = await tx.get<{ value: number }>('SELECT value FROM counters WHERE name = $1', ['hits'])
    await new Promise((resolve) => setImmediate(resolve))
    await tx.run('UPDATE counters SET value = $1 WHERE name = $2', [(row?.value ?? 0) + 1, 'hits'])
  })
}

describe.each(['sqlite', 'postgres'] as const)('SqlDatabase on %s', (engine) => {
  it('binds $n placeholders by number, reads integers as numbers and counts changed rows', async () => {
    const db = await open(await freshLocation(engine))
    expect(await db.run('INSERT INTO counters (name, value) VALUES ($2, $1)', [1_790_000_000_000, 'at'])).toBe(1)
    expect(await db.get('SELECT name, value FROM counters WHERE name = $1', ['at'])).toEqual({ name: 'at', value: 1_790_000_000_000 })
    expect(await db.all('SELECT count(*) AS n FROM counters')).toEqual([{ n: 1 }])
    expect(await db.run('UPDATE counters SET value = 0 WHERE name = $1', ['none'])).toBe(0)
  })

  it('serialises transactions on a lock across connections: no update is lost', async () => {
    const location = await freshLocation(engine)
    const [a, b, c] = [await open(location), await open(location), await open(location)]
    await a.run("INSERT INTO counters (name, value) VALUES ('hits', 0)")
    await Promise.all(Array.from({ length: 30 }, (_, i) => slowIncrement([a, b, c][i % 3] as SqlDatabase)))
    expect(await a.get('SELECT value FROM counters WHERE name = $1', ['hits'])).toEqual({ value: 30 })
  })

  it('rolls a failed transaction back whole, and the next one runs', async () => {
    const db = await open(await freshLocation(engine))
    await expect(db.transaction('counters', async (tx) => {
      await tx.run("INSERT INTO counters (name, value) VALUES ('lost', 1)")
      throw new Error('boom')
    })).rejects.toThrow('boom')
    expect(await db.get("SELECT * FROM counters WHERE name = 'lost'")).toBeUndefined()
    await db.transaction('counters', (tx) => tx.run("INSERT INTO counters (name, value) VALUES ('kept', 1)"))
    expect(await db.get("SELECT value FROM counters WHERE name = 'kept'")).toEqual({ value: 1 })
  })

  it('migrates once when several processes open a new database at the same moment', async () => {
    const location = await freshLocation(engine)
    const dbs = await Promise.all([1, 2, 3, 4].map(() => open(location)))
    expect(await dbs[0]!.all('SELECT count(*) AS n FROM counters')).toEqual([{ n: 0 }])
    if (engine === 'postgres') {
      expect(await dbs[0]!.all('SELECT component, version FROM schema_migrations')).toEqual([{ component: 'test', version: 1 }])
    }
  })
})

describe('SqlDatabase on SQLite, within one process', () => {
  it('keeps a statement from another request out of an open transaction until it ends', async () => {
    const db = await open(await freshLocation('sqlite'))
    let release = () => {}
    const open_ = db.transaction('counters', async (tx) => {
      await tx.run("INSERT INTO counters (name, value) VALUES ('inside', 1)")
      await new Promise<void>((resolve) => { release = resolve })
      throw new Error('rolled back')
    })
    // Issued while the transaction is open: it must neither see nor join it.
    const outside = db.get("SELECT * FROM counters WHERE name = 'inside'")
    await new Promise((resolve) => setImmediate(resolve))
    release()
    await expect(open_).rejects.toThrow('rolled back')
    expect(await outside).toBeUndefined()
  })
})

describe('SqlDatabase on PostgreSQL', () => {
  it('calls watchers on every announced change, from any connection', async () => {
    const location = await freshLocation('postgres')
    const [watcher, writer] = [await open(location), await open(location)]
    let changes = 0
    await watcher.watch('counters_changed', () => { changes++ })
    await writer.run("INSERT INTO counters (name, value) VALUES ('a', 1)")
    await expect.poll(() => changes).toBe(1)
    await writer.run("UPDATE counters SET value = 2 WHERE name = 'a'")
    await expect.poll(() => changes).toBe(2)
  })

  it('refuses a channel name that is not a plain identifier', async () => {
    const db = await open(await freshLocation('postgres'))
    await expect(db.watch('x; DROP TABLE counters', () => {})).rejects.toThrow('not a channel name: x; DROP TABLE counters')
  })
})
