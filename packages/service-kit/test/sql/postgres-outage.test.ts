import pg from 'pg'
import { describe, expect, inject, it, onTestFinished, vi } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { createTestDatabase } from '@repo/service-harness/postgres-server'
import { startTcpForwarder, type TcpForwarder } from '@repo/service-harness/tcp-forwarder'
import { openSqlDatabase, type Migrations, type SqlDatabase } from '../../src/sql/index.js'
import type { DatabaseUnavailableError } from '../../src/sql/unavailable.js'

const MIGRATIONS: Migrations = {
  component: 'test',
  sqlite: [],
  postgres: [
    `CREATE TABLE moves (name TEXT PRIMARY KEY);
     CREATE FUNCTION notify_moves() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('moves_changed', ''); RETURN NULL; END $$;
     CREATE TRIGGER moves_changed AFTER INSERT ON moves FOR EACH STATEMENT EXECUTE FUNCTION notify_moves();`
  ]
}

/** A database reached through a forwarder the test can take down; and what the seam reported. */
async function openThroughForwarder (connectTimeoutMs = 2000) {
  const direct = new URL(await createTestDatabase(inject('postgresAdminUrl')))
  const forwarder = await startTcpForwarder(direct.hostname, Number(direct.port))
  onTestFinished(() => forwarder.close())
  const url = new URL(direct)
  url.port = String(forwarder.port)
  const reports: string[] = []
  const logs: string[] = []
  const db = await openSqlDatabase({ databaseUrl: url.toString(), dataDir: '/nonexistent' }, 'test.db', MIGRATIONS, {
    connectTimeoutMs,
    availability: {
      unavailable: (error: DatabaseUnavailableError) => reports.push(`unavailable ${error.reason}`),
      available: () => { if (reports.at(-1) !== 'available') reports.push('available') }
    },
    log: { info: (_details, message) => logs.push(message), warn: (_details, message) => logs.push(`warn ${message}`) }
  })
  onTestFinished(() => db.close())
  return { db, forwarder, reports, logs, directUrl: direct.toString() }
}

async function adminQuery (url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows
  } finally {
    await client.end()
  }
}

const goneBackAndForth = async (forwarder: TcpForwarder, db: SqlDatabase) => {
  await forwarder.down()
  const failure = await db.get('SELECT 1').catch((error: unknown) => error)
  await forwarder.up()
  return failure
}

describe('SqlDatabase on PostgreSQL when the database goes away', () => {
  it('fails statements as DatabaseUnavailableError while it is away and serves again, same pool, once it is back', async () => {
    const { db, forwarder, reports } = await openThroughForwarder()
    await db.run("INSERT INTO moves (name) VALUES ('before')")
    // A pooled connection reset, then no server: either is the database away, by its code.
    const failure = await goneBackAndForth(forwarder, db)
    expect(failure).toMatchObject({ code: 'DATABASE_UNAVAILABLE', statusCode: 503, reason: expect.stringMatching(/^(ECONNRESET|ECONNREFUSED|connection_lost)$/) })
    expect(await db.all('SELECT name FROM moves')).toEqual([{ name: 'before' }])
    expect(reports).toEqual(['available', `unavailable ${(failure as DatabaseUnavailableError).reason}`, 'available'])
  })

  it('gives up waiting for a connection within the connection timeout: a statement does not hang on a silent server', async () => {
    const { db, forwarder } = await openThroughForwarder(300)
    await forwarder.down()
    forwarder.mode = 'blackhole'
    await forwarder.up()
    const started = performance.now()
    await expect(db.get('SELECT 1')).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE', reason: 'connect_timeout' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('a transaction cut mid-way (pg_terminate_backend) leaves nothing of itself, and the next one runs', async () => {
    const { db, directUrl } = await openThroughForwarder()
    const halfDone = db.transaction('moves', async (tx) => {
      await tx.run("INSERT INTO moves (name) VALUES ('first half')")
      await tx.get("SELECT pg_sleep(30) WHERE current_setting('application_name') = ''")
      await tx.run("INSERT INTO moves (name) VALUES ('second half')")
    })
    halfDone.catch(() => {})
    const sleeping = () => adminQuery(directUrl, "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'")
    await vi.waitUntil(async () => (await sleeping()).length === 1, { timeout: 5000, interval: 20 })
    await adminQuery(directUrl, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'")
    await expect(halfDone).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE', reason: '57P01' })
    expect(await db.all('SELECT name FROM moves')).toEqual([])
    await db.transaction('moves', async (tx) => tx.run("INSERT INTO moves (name) VALUES ('whole')"))
    expect(await db.all('SELECT name FROM moves')).toEqual([{ name: 'whole' }])
  })

  it('a statement error is not an outage: it keeps its own code and the observer hears nothing of it', async () => {
    const { db, reports } = await openThroughForwarder()
    await db.run("INSERT INTO moves (name) VALUES ('once')")
    await expect(db.run("INSERT INTO moves (name) VALUES ('once')")).rejects.toMatchObject({ code: '23505' })
    expect(reports).toEqual(['available'])
  })

  it('LISTEN comes back after an outage longer than one retry, and calls the watchers for what it missed', async () => {
    const { db, forwarder, logs, directUrl } = await openThroughForwarder(500)
    let changes = 0
    await db.watch('moves_changed', () => { changes++ })
    await forwarder.down()
    // The server hangs up on every attempt to reconnect: wait for two of them.
    forwarder.mode = 'drop'
    const before = forwarder.accepted
    await forwarder.up()
    await vi.waitUntil(() => forwarder.accepted >= before + 2, { timeout: 5000, interval: 20 })
    // Missed while away: written straight to the server.
    await adminQuery(directUrl, "INSERT INTO moves (name) VALUES ('while away')")
    forwarder.mode = 'pass'
    await vi.waitUntil(() => changes === 1, { timeout: 5000, interval: 20 })
    expect(logs).toEqual(['database change notifications lost; reconnecting', 'database change notifications restored'])
    // And it listens again.
    await adminQuery(directUrl, "INSERT INTO moves (name) VALUES ('after')")
    await vi.waitUntil(() => changes === 2, { timeout: 5000, interval: 20 })
  })
})
