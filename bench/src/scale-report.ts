import type { LatencyBySize } from './charts/chart-data.js'
import { table } from './format.js'

export type Engine = 'sqlite' | 'postgres'
export const OPERATIONS = ['refresh', 'client_credentials', 'login'] as const
export type Operation = typeof OPERATIONS[number]

/** Latency of one operation on one database over a step's blocks, ms. */
export interface LatencyCell {
  p50Ms: number
  p99Ms: number
  requests: number
}

/** One operation at one table size: the grown database beside the smallest, in alternating blocks. */
export interface ScaleStep {
  engine: Engine
  /** Rows in each of users, refresh_tokens and browser_sessions of the grown database. */
  rows: number
  operation: Operation
  grown: LatencyCell
  /** The database of the smallest size, measured in the blocks between the grown one's (not in a quick run). */
  smallest?: LatencyCell
  /** Median over the block pairs of grown p99 ÷ smallest p99. */
  p99RatioMedian?: number
  /** What failed: a non-2xx answer, an error, no answers. */
  problems: string[]
}

/** One sample of the retention run: rows per table, seconds after the load started. */
export interface RetentionSample {
  atSeconds: number
  counts: Record<string, number>
}

export interface TableVerdict {
  table: string
  /** Seconds after its creation a row may be purged (the retention rules with this run's settings); null: none. */
  retentionSeconds: number
  /** Mean count over the last window, and over the window before it. */
  lastWindowMean: number
  previousWindowMean: number
  verdict: 'flat' | 'GROWS' | 'not judged'
  note?: string
}

export interface RetentionResult {
  engine: Engine
  settings: Record<string, string>
  seconds: number
  windowSeconds: number
  /** Answers by kind of request: every one must be 2xx. */
  requests: Record<string, { ok: number, other: Record<string, number>, errors: number, firstRefusal?: string }>
  samples: RetentionSample[]
  verdicts: TableVerdict[]
}

export interface ScaleReport {
  sizes: number[]
  plan: { blockSeconds: number, pairs: number, warmupSeconds: number, rates: Record<Operation, number> }
  /** Seeding durations, by engine and size, seconds. */
  seeding: { engine: Engine, rows: number, seconds: number }[]
  steps: ScaleStep[]
  retention: RetentionResult[]
  /** The whole part, seconds. */
  seconds: number
  error?: string
}

/** The target of issue 25: p99 at the largest size within this factor of the smallest's. */
export const P99_TARGET = 1.2

const power = (rows: number) => {
  const exponent = Math.log10(rows)
  return Number.isInteger(exponent) ? `10^${exponent}` : String(rows)
}

/** The chart of docs/performance/: p99 of every operation and engine against the table size. */
export function latencyBySize (report: ScaleReport): LatencyBySize {
  const series = (['sqlite', 'postgres'] as const).flatMap((engine) => OPERATIONS.map((operation) => ({
    name: `${operation} p99, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    ms: report.sizes.map((rows) => report.steps.find((step) =>
      step.engine === engine && step.operation === operation && step.rows === rows)?.grown.p99Ms ?? Number.NaN)
  }))).filter((line) => line.ms.every((value) => Number.isFinite(value)))
  return { title: 'Auth service: grant and login p99 against rows per table (ms)', rows: [...report.sizes], series }
}

/** Prints the tables; returns how many things failed (answers, growth), not missed targets. */
export function printScaleReport (report: ScaleReport): number {
  let failures = 0
  if (report.error !== undefined) {
    console.log(`\nscale: FAILED: ${report.error}`)
    failures++
  }
  const { plan } = report
  const rates = Object.entries(plan.rates).map(([operation, rate]) => `${operation} ${rate}/s`).join(', ')
  console.log(`\nScale: latency against rows per table (users, refresh_tokens, browser_sessions each), ${rates}; ` +
    `${plan.pairs} pair(s) of ${plan.blockSeconds} s blocks, the grown database and the smallest alternating`)
  const smallest = report.sizes[0]
  const rows = report.steps.map((step) => {
    const first = report.steps.find((other) => other.engine === step.engine && other.operation === step.operation &&
      other.rows === smallest)
    const acrossSteps = first ? step.grown.p99Ms / first.grown.p99Ms : Number.NaN
    const largest = step.rows === report.sizes.at(-1) && step.rows !== smallest
    // Judged on the ratio measured beside the smallest database; without one, across the steps.
    const ratio = step.p99RatioMedian ?? acrossSteps
    const verdict = largest ? (ratio <= P99_TARGET ? ' met' : ' MISSED') : ''
    if (step.problems.length > 0) failures++
    return [step.engine, step.operation, power(step.rows), String(step.grown.p50Ms), String(step.grown.p99Ms),
      String(step.smallest?.p99Ms ?? '–'),
      step.smallest ? (step.grown.p50Ms / step.smallest.p50Ms).toFixed(2) : '–',
      step.p99RatioMedian === undefined ? '–' : `${step.p99RatioMedian.toFixed(2)}${verdict}`,
      `${acrossSteps.toFixed(2)}${step.p99RatioMedian === undefined ? verdict : ''}`,
      String(step.grown.requests), step.problems.length > 0 ? `FAILED: ${step.problems.join('; ')}` : '']
  })
  console.log(table(['engine', 'operation', 'rows', 'p50 ms', 'p99 ms', `p99 ms at ${power(smallest ?? 0)}`,
    'p50 ÷ smallest', `p99 ÷ smallest (≤ ${P99_TARGET})`, 'p99 ÷ first step', 'requests', ''], rows))
  const seeding = report.seeding.map(({ engine, rows, seconds }) => `${engine} ${power(rows)} ${seconds} s`)
  console.log(`seeding (cumulative steps, one transaction each): ${seeding.join(', ')}`)
  for (const result of report.retention) failures += printRetention(result)
  console.log(`scale part: ${report.seconds} s`)
  return failures
}

function printRetention (result: RetentionResult): number {
  let failures = 0
  const settings = Object.entries(result.settings).map(([name, value]) => `${name}=${value}`).join(' ')
  console.log(`\nRetention under a steady load, ${result.engine}, ${result.seconds} s (${settings}); ` +
    `rows per table sampled every second (every ${Math.max(1, Math.round(result.samples.length / 12))}th shown)`)
  const tables = result.verdicts.map((verdict) => verdict.table)
  const step = Math.max(1, Math.round(result.samples.length / 12))
  const shown = result.samples.filter((_, index) => index % step === 0 || index === result.samples.length - 1)
  console.log(table(['s', ...tables], shown.map((sample) =>
    [String(sample.atSeconds), ...tables.map((name) => String(sample.counts[name] ?? ''))])))
  console.log(table(['table', 'retention s', `mean, last ${result.windowSeconds} s`, 'window before', 'verdict'],
    result.verdicts.map((verdict) => {
      if (verdict.verdict === 'GROWS') failures++
      return [verdict.table, String(verdict.retentionSeconds), String(verdict.lastWindowMean),
        String(verdict.previousWindowMean), verdict.note ? `${verdict.verdict} (${verdict.note})` : verdict.verdict]
    })))
  for (const [kind, { ok, other, errors, firstRefusal }] of Object.entries(result.requests)) {
    if (Object.keys(other).length > 0 || errors > 0) {
      failures++
      const why = firstRefusal === undefined ? '' : ` (the first: ${firstRefusal})`
      console.log(`FAILED: ${kind}: ${ok} ok, other answers ${JSON.stringify(other)}${why}, ${errors} errors`)
    }
  }
  const answered = Object.entries(result.requests).map(([kind, { ok }]) => `${kind} ${ok}`).join(', ')
  console.log(`requests answered 2xx: ${answered}`)
  return failures
}
