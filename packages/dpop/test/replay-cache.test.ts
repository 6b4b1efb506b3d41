import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqlDatabase, type SqlDatabase } from '@repo/service-kit/sql'
import { MemoryReplayCache, replayKey, replayTableSql, SqlReplayCache, type ReplayCache } from '../src/replay-cache.js'

const T0 = Date.parse('2030-01-01T00:00:00Z')
const WINDOW_MS = 65_000

describe('replayKey', () => {
  it('scopes a jti by its key: two keys may use one jti', () => {
    expect(replayKey('jkt-a', 'same')).not.toBe(replayKey('jkt-b', 'same'))
    expect(replayKey('jkt-a', 'same')).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

/** What every replay cache must do, the memory one and the SQL one alike. */
function behavesAsReplayCache (make: () => Promise<ReplayCache>) {
  it('accepts a proof once, then refuses it as a replay until it has expired', async () => {
    const cache = await make()
    expect(await cache.claim('k1', T0 + WINDOW_MS, T0)).toBe(true)
    expect(await cache.claim('k1', T0 + 1000 + WINDOW_MS, T0 + 1000)).toBe(false)
    expect(await cache.claim('k2', T0 + 1000 + WINDOW_MS, T0 + 1000)).toBe(true)
    // Past its window the proof is refused for its iat anyway; the key may be taken again.
    expect(await cache.claim('k1', T0 + 2 * WINDOW_MS, T0 + WINDOW_MS)).toBe(true)
  })
}

describe('MemoryReplayCache', () => {
  behavesAsReplayCache(async () => new MemoryReplayCache())

  it('refuses new proofs when full of live ones, rather than forgetting one', async () => {
    const cache = new MemoryReplayCache({ maxEntries: 2 })
    expect(await cache.claim('a', T0 + WINDOW_MS, T0)).toBe(true)
    expect(await cache.claim('b', T0 + WINDOW_MS, T0)).toBe(true)
    expect(await cache.claim('c', T0 + WINDOW_MS, T0)).toBe(false)
    expect(await cache.claim('a', T0 + WINDOW_MS, T0 + 1)).toBe(false)
    // Once the first two expire there is room again.
    expect(await cache.claim('c', T0 + 2 * WINDOW_MS, T0 + WINDOW_MS)).toBe(true)
    expect(cache.size).toBe(1)
  })

  it('stays under its ceiling through two minutes of distinct proofs at 1000 a second (a fake clock)', async () => {
    const cache = new MemoryReplayCache({ maxEntries: 70_000 })
    let accepted = 0
    let peak = 0
    for (let ms = 0; ms < 120_000; ms++) {
      const now = T0 + ms
      if (await cache.claim(`proof-${ms}`, now + WINDOW_MS, now)) accepted++
      peak = Math.max(peak, cache.size)
    }
    // A 65 s window at 1000 proofs a second holds 65 000 live proofs at most: all accepted, never more kept.
    expect(accepted).toBe(120_000)
    expect(peak).toBe(65_000)
  })
})

describe('MemoryReplayCache: its sweep', () => {
  it('takes over an expired entry that a live one older in the queue still holds back', async () => {
    const cache = new MemoryReplayCache()
    // Stored first but with a later iat: it outlives the entry stored after it.
    expect(await cache.claim('late-iat', T0 + 2 * WINDOW_MS, T0)).toBe(true)
    expect(await cache.claim('early-iat', T0 + WINDOW_MS, T0)).toBe(true)
    const afterWindow = T0 + WINDOW_MS + 1
    expect(await cache.claim('early-iat', afterWindow + WINDOW_MS, afterWindow)).toBe(true)
    expect(await cache.claim('early-iat', afterWindow + WINDOW_MS, afterWindow + 1)).toBe(false)
    expect(cache.size).toBe(2)
  })

  it('keeps exactly the live proofs through four windows of one proof a millisecond, its queue compacted as it goes', async () => {
    const cache = new MemoryReplayCache()
    const end = 4 * WINDOW_MS
    let accepted = 0
    for (let ms = 0; ms < end; ms++) if (await cache.claim(`p${ms}`, T0 + ms + WINDOW_MS, T0 + ms)) accepted++
    expect(accepted).toBe(end)
    // Those of the last window, and no other: none lost from the queue, so none left unswept.
    expect(cache.size).toBe(WINDOW_MS)
    for (let ms = end - WINDOW_MS + 1; ms < end; ms += 997) {
      expect(await cache.claim(`p${ms}`, T0 + end + WINDOW_MS, T0 + end)).toBe(false)
    }
  })
})

describe('SqlReplayCache on SQLite', () => {
  let dir: string | undefined
  let db: SqlDatabase | undefined
  afterEach(async () => {
    await db?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })
  const open = async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpop-replay-'))
    db = await openSqlDatabase({ dataDir: dir, databaseUrl: undefined }, 'replay.db',
      { component: 'dpop-test', sqlite: [replayTableSql('test_dpop_proofs')], postgres: [replayTableSql('test_dpop_proofs')] })
    return db
  }

  behavesAsReplayCache(async () => new SqlReplayCache(await open(), 'test_dpop_proofs'))

  it('is shared: a proof one replica accepted is a replay on another on the same database', async () => {
    const database = await open()
    const first = new SqlReplayCache(database, 'test_dpop_proofs')
    const second = new SqlReplayCache(database, 'test_dpop_proofs')
    expect(await first.claim('shared', T0 + WINDOW_MS, T0)).toBe(true)
    expect(await second.claim('shared', T0 + WINDOW_MS, T0 + 5)).toBe(false)
  })

  it('deletes expired rows as it goes', async () => {
    const database = await open()
    const cache = new SqlReplayCache(database, 'test_dpop_proofs')
    for (let i = 0; i < 5; i++) await cache.claim(`old-${i}`, T0 + WINDOW_MS, T0)
    await cache.claim('new', T0 + 3 * WINDOW_MS, T0 + 2 * WINDOW_MS)
    expect(await database.get<{ n: number }>('SELECT count(*) AS n FROM test_dpop_proofs')).toEqual({ n: 1 })
  })

  it('leaves expired rows to the service\'s own purge when told, and takes one over', async () => {
    const database = await open()
    const cache = new SqlReplayCache(database, 'test_dpop_proofs', { purgeExpired: false })
    for (let i = 0; i < 5; i++) await cache.claim(`old-${i}`, T0 + WINDOW_MS, T0)
    expect(await cache.claim('new', T0 + 3 * WINDOW_MS, T0 + 2 * WINDOW_MS)).toBe(true)
    expect(await database.get<{ n: number }>('SELECT count(*) AS n FROM test_dpop_proofs')).toEqual({ n: 6 })
    expect(await cache.claim('old-0', T0 + 3 * WINDOW_MS, T0 + 2 * WINDOW_MS)).toBe(true)
    expect(await cache.claim('old-0', T0 + 3 * WINDOW_MS, T0 + 2 * WINDOW_MS + 1)).toBe(false)
  })
})

describe('replay tables', () => {
  it('are named by each service (two may share a database) and only by a plain identifier', () => {
    expect(replayTableSql('consumer_dpop_proofs')).toContain('CREATE TABLE consumer_dpop_proofs (')
    expect(() => replayTableSql('x; DROP TABLE users')).toThrow('a replay table name must be a lower-case SQL identifier')
    expect(() => new SqlReplayCache({} as never, 'Proofs')).toThrow(RangeError)
  })
})
