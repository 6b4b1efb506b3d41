import { afterEach, describe, expect, it, vi } from 'vitest'
import { startSignalSweep } from '../../src/plugins/ssf-transmitter.js'

/** A logger that keeps what it is given. */
function fakeLog () {
  const lines: Array<[string, object, string]> = []
  const at = (level: string) => (object: object, message: string) => { lines.push([level, object, message]) }
  return { lines, log: { info: at('info'), warn: at('warn') } as never }
}

describe('the Shared Signals retention sweep', () => {
  afterEach(() => { vi.useRealTimers() })

  it('sweeps every interval, logs what it deleted, and survives a failure, which it logs', async () => {
    vi.useFakeTimers()
    const { lines, log } = fakeLog()
    const outcomes = [
      async () => ({ events: 2, streams: 1 }),
      async () => { throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }) },
      async () => ({ events: 0, streams: 0 })
    ]
    let calls = 0
    const timer = startSignalSweep(() => (outcomes[calls++] as () => Promise<{ events: number, streams: number }>)(), 60_000, log)
    expect(timer.hasRef()).toBe(false)
    await vi.advanceTimersByTimeAsync(59_999)
    expect(calls).toBe(0)
    await vi.advanceTimersByTimeAsync(3 * 60_000)
    clearInterval(timer)
    expect(calls).toBe(3)
    expect(lines).toEqual([
      ['info', { event: 'ssf_swept', events: 2, streams: 1 }, 'Shared Signals swept'],
      ['warn', { event: 'ssf_sweep_failed', code: 'SQLITE_IOERR' }, 'Shared Signals retention sweep failed']
    ])
  })

  it('never runs two sweeps at once', async () => {
    vi.useFakeTimers()
    let running = 0
    let most = 0
    let release = () => {}
    const timer = startSignalSweep(async () => {
      running++
      most = Math.max(most, running)
      await new Promise<void>((resolve) => { release = resolve })
      running--
      return { events: 0, streams: 0 }
    }, 1000, fakeLog().log)
    await vi.advanceTimersByTimeAsync(5000)
    release()
    await vi.advanceTimersByTimeAsync(1000)
    clearInterval(timer)
    expect(most).toBe(1)
  })
})
