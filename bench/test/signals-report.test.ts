import { describe, expect, it } from 'vitest'
import { printSignalsReport, type SignalsReport } from '../src/signals-report.js'

const report = (times: number[][], othersRefused = 0): SignalsReport =>
  ({ logouts: times.length, consumers: ['consumer-a', 'consumer-b'], times, othersRefused })

describe('the Shared Signals report', () => {
  it('prints p50, p99 and max per consumer and over all, by nearest rank', () => {
    const lines: string[] = []
    const times = [[10, 40], [20, 30], [30, 20], [400, 10]]
    expect(printSignalsReport(report(times), (line) => lines.push(line))).toBe(0)
    expect(lines).toContain('consumer-a                    20     400     400')
    expect(lines).toContain('consumer-b                    20      40      40')
    expect(lines).toContain('all                           20     400     400')
  })

  it('fails the run when a refusal took longer than the bound, or another user was refused', () => {
    const lines: string[] = []
    expect(printSignalsReport(report([[10, 2001]], 1), (line) => lines.push(line))).toBe(2)
    expect(lines.slice(-2)).toEqual([
      'FAILED the stated bound: a refusal took 2001 ms (bound 2000 ms)',
      'FAILED another user\'s token was refused 1 time(s)'
    ])
  })
})
