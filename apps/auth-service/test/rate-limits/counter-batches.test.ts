import { describe, expect, it, vi } from 'vitest'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { CounterBatches } from '../../src/rate-limits/counter-batches.js'
import { freshLocation, openTestDatabase } from '../databases.js'

const NOW = 1_800_000_000_000
const MINUTE = 60_000

async function postgres (): Promise<SqlDatabase> {
  return openTestDatabase(await freshLocation('postgres'))
}

/** The statements `db` is sent while `work` runs. */
async function statementsDuring<T> (db: SqlDatabase, work: () => Promise<T>): Promise<{ result: T, statements: number }> {
  const all = vi.spyOn(db, 'all')
  try {
    const result = await work()
    return { result, statements: all.mock.calls.length }
  } finally {
    all.mockRestore()
  }
}

describe('CounterBatches on PostgreSQL', () => {
  it('counts of one key asked for together: one statement, and each caller its own successive count', async () => {
    const db = await postgres()
    const batches = new CounterBatches(db, () => NOW)
    const { result, statements } = await statementsDuring(db, () =>
      Promise.all([1, 2, 3, 4, 5].map(() => batches.increment('k', MINUTE))))
    expect(statements).toBe(1)
    expect(result.map(({ count }) => count).sort()).toEqual([1, 2, 3, 4, 5])
    expect(new Set(result.map(({ windowEndsAt }) => windowEndsAt))).toEqual(new Set([NOW + MINUTE]))
  })

  it('two replicas counting one key at once add up, none counted twice', async () => {
    const location = await freshLocation('postgres')
    const replicas = await Promise.all([1, 2].map(async () => new CounterBatches(await openTestDatabase(location), () => NOW)))
    const counts = await Promise.all(replicas.flatMap((batches) =>
      [1, 2, 3, 4, 5].map(() => batches.increment('k', MINUTE))))
    expect(counts.map(({ count }) => count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('a key whose window has ended starts over at the batch\'s count, in a new window', async () => {
    const db = await postgres()
    let now = NOW
    const batches = new CounterBatches(db, () => now)
    await Promise.all([batches.increment('k', MINUTE), batches.increment('k', MINUTE), batches.increment('other', MINUTE)])
    now = NOW + MINUTE
    const [first, second] = await Promise.all([batches.increment('k', MINUTE), batches.increment('k', MINUTE)])
    expect([first, second]).toEqual([{ count: 1, windowEndsAt: now + MINUTE }, { count: 2, windowEndsAt: now + MINUTE }])
    expect(await batches.read('other')).toEqual({ count: 1, windowEndsAt: NOW + MINUTE })
  })

  it('reads asked for together: one statement; a key never counted reads as undefined', async () => {
    const db = await postgres()
    const batches = new CounterBatches(db, () => NOW)
    await batches.increment('a', MINUTE)
    await batches.increment('a', MINUTE)
    await batches.increment('b"\\ \'', MINUTE)
    const { result, statements } = await statementsDuring(db, () =>
      Promise.all([batches.read('a'), batches.read('b"\\ \''), batches.read('never'), batches.read('a')]))
    expect(statements).toBe(1)
    expect(result).toEqual([
      { count: 2, windowEndsAt: NOW + MINUTE },
      { count: 1, windowEndsAt: NOW + MINUTE },
      undefined,
      { count: 2, windowEndsAt: NOW + MINUTE }
    ])
  })

  it('a failed statement fails every caller of its batch', async () => {
    const db = await postgres()
    const batches = new CounterBatches(db, () => NOW)
    const failure = new Error('connection lost')
    vi.spyOn(db, 'all').mockRejectedValueOnce(failure).mockRejectedValueOnce(failure)
    const results = await Promise.allSettled([batches.increment('k', MINUTE), batches.increment('j', MINUTE), batches.read('k')])
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure }
    ])
    vi.restoreAllMocks()
    expect(await batches.increment('k', MINUTE)).toEqual({ count: 1, windowEndsAt: NOW + MINUTE })
  })
})
