import { afterEach, describe, expect, it, vi } from 'vitest'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { startPurgeSchedule } from '../../src/maintenance/purge-schedule.js'
import type { PurgeRule } from '../../src/maintenance/retention-rules.js'

const RULE: PurgeRule = { table: 'things', key: 'id', where: 'expires_at <= $1', params: (now) => [now], why: 'test' }

/** A logger that keeps what it is given. */
function fakeLog () {
  const lines: Array<[string, object, string]> = []
  const at = (level: string) => (object: object, message: string) => { lines.push([level, object, message]) }
  return { lines, log: { info: at('info'), warn: at('warn'), debug: at('debug'), error: at('error') } as never }
}

/** A SQLite-like database whose DELETEs answer with `run`. */
const databaseAnswering = (run: (sql: string) => Promise<number>) =>
  ({ dialect: 'sqlite', run }) as unknown as SqlDatabase

describe('the purge schedule', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    vi.useRealTimers()
  })

  it('purges every interval, logs what it deleted and a failure by its code only, and stops', async () => {
    vi.useFakeTimers()
    const { lines, log } = fakeLog()
    const outcomes = [
      async () => 3,
      async () => { throw Object.assign(new Error('disk I/O error on key abc'), { code: 'SQLITE_IOERR' }) },
      async () => 0
    ]
    let calls = 0
    const db = databaseAnswering(() => (outcomes[calls++] as () => Promise<number>)())
    const nows: number[] = []
    const schedule = startPurgeSchedule({
      db, rules: [RULE], intervalMs: 60_000, batchSize: 10, now: () => { nows.push(Date.now()); return Date.now() }, log
    })
    await vi.advanceTimersByTimeAsync(59_999)
    expect(calls).toBe(0)
    await vi.advanceTimersByTimeAsync(3 * 60_000)
    await schedule.stop()
    expect(calls).toBe(3)
    expect(nows).toHaveLength(3)
    expect(lines).toEqual([
      ['info', { event: 'purged', counts: { things: 3 } }, 'expired rows purged'],
      ['warn', { event: 'purge_failed', code: 'SQLITE_IOERR' }, 'purge failed']
    ])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toBe(3)
  })

  it('does not keep the process up', async () => {
    vi.useFakeTimers()
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval')
    const db = databaseAnswering(async () => 0)
    const schedule = startPurgeSchedule({
      db, rules: [RULE], intervalMs: 1000, batchSize: 10, now: Date.now, log: fakeLog().log
    })
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
    await schedule.stop()
  })

  it('never runs two purges at once in a process', async () => {
    vi.useFakeTimers()
    let running = 0
    let most = 0
    let calls = 0
    let release = () => {}
    const db = databaseAnswering(async () => {
      calls++
      running++
      most = Math.max(most, running)
      await new Promise<void>((resolve) => { release = resolve })
      running--
      return 0
    })
    const schedule = startPurgeSchedule({
      db, rules: [RULE], intervalMs: 1000, batchSize: 10, now: Date.now, log: fakeLog().log
    })
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls).toBe(1)
    release()
    await vi.advanceTimersByTimeAsync(1000)
    release()
    await schedule.stop()
    expect(most).toBe(1)
    expect(calls).toBe(2)
  })
})
