import { afterEach, describe, expect, it, vi } from 'vitest'
import { latencyBySize, printScaleReport, type ScaleReport, type ScaleStep } from '../src/scale-report.js'

const step = (engine: ScaleStep['engine'], operation: ScaleStep['operation'], rows: number, p99Ms: number,
  problems: string[] = []): ScaleStep => ({
  engine,
  rows,
  operation,
  grown: { p50Ms: p99Ms / 2, p99Ms, requests: 300 },
  smallest: { p50Ms: 1, p99Ms: 4, requests: 300 },
  p99RatioMedian: p99Ms / 4,
  problems
})

const report = (steps: ScaleStep[], retention: ScaleReport['retention'] = []): ScaleReport => ({
  sizes: [10_000, 1_000_000],
  plan: { blockSeconds: 2, pairs: 3, warmupSeconds: 1, rates: { refresh: 50, client_credentials: 50, login: 5 } },
  seeding: [{ engine: 'sqlite', rows: 10_000, seconds: 0.3 }],
  steps,
  retention,
  seconds: 100
})

afterEach(() => { vi.restoreAllMocks() })

describe('the scale report', () => {
  it('gives the chart one p99 line per operation and engine measured at every size', () => {
    const chart = latencyBySize(report([
      step('sqlite', 'refresh', 10_000, 4), step('sqlite', 'refresh', 1_000_000, 4.4),
      step('sqlite', 'login', 10_000, 90)
    ]))
    expect(chart.rows).toEqual([10_000, 1_000_000])
    expect(chart.series).toEqual([{ name: 'refresh p99, SQLite', ms: [4, 4.4] }])
  })

  it('counts a step with a non-2xx answer and a table that grows past its retention as failures', () => {
    vi.spyOn(console, 'log').mockImplementation(() => {})
    expect(printScaleReport(report([step('sqlite', 'refresh', 10_000, 4)]))).toBe(0)
    expect(printScaleReport(report([step('sqlite', 'refresh', 10_000, 4, ['grown: answers {"400":1}'])]))).toBe(1)
    const growing = {
      engine: 'sqlite' as const,
      settings: { PURGE_INTERVAL: '1s' },
      seconds: 100,
      windowSeconds: 12,
      requests: { login: { ok: 10, other: {}, errors: 0 } },
      samples: [{ atSeconds: 0, counts: { refresh_tokens: 0 } }],
      verdicts: [{
        table: 'refresh_tokens',
        retentionSeconds: 3,
        lastWindowMean: 200,
        previousWindowMean: 100,
        verdict: 'GROWS' as const
      }]
    }
    expect(printScaleReport(report([step('sqlite', 'refresh', 10_000, 4)], [growing]))).toBe(1)
    const refused = { ...growing, verdicts: [], requests: { login: { ok: 10, other: { 429: 1 }, errors: 0 } } }
    expect(printScaleReport(report([step('sqlite', 'refresh', 10_000, 4)], [refused]))).toBe(1)
  })

  it('judges p99 at the largest size against the smallest measured beside it', () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line) })
    printScaleReport(report([step('sqlite', 'refresh', 10_000, 4), step('sqlite', 'refresh', 1_000_000, 4.4),
      step('postgres', 'refresh', 10_000, 4), step('postgres', 'refresh', 1_000_000, 6)]))
    const text = lines.join('\n')
    expect(text).toMatch(/sqlite\s+refresh\s+10\^6.*1\.10 met/)
    expect(text).toMatch(/postgres\s+refresh\s+10\^6.*1\.50 MISSED/)
  })
})
