import { startPostgresServer, type PostgresServer } from '@repo/service-harness/postgres-server'
import { progress, quick } from '../run.js'
import {
  OPERATIONS, type Engine, type LatencyCell, type Operation, type ScaleReport, type ScaleStep
} from '../scale-report.js'
import { ms, pacedRun, percentile, type PacedLoad, type PacedRun } from '../scale/paced-load.js'
import { retentionRun } from '../scale/retention-run.js'
import { startScaleTarget, type ScaleTarget } from '../scale/scale-target.js'
import { PASSWORD, passwordHash } from '../scale/seed-rows.js'

const SIZES = quick ? [1_000, 10_000] : [10_000, 100_000, 1_000_000]
/** Moderate: a fraction of what the service sustains, so latency is the service's and not a queue's. */
const RATES: Record<Operation, number> = { refresh: 50, client_credentials: 50, login: quick ? 2 : 3 }
const CONCURRENCY: Record<Operation, number> = { refresh: 16, client_credentials: 16, login: 8 }
const PLAN = quick
  ? { blockSeconds: 1, pairs: 1, warmupSeconds: 0 }
  : { blockSeconds: 2, pairs: 3, warmupSeconds: 1 }

const cell = (runs: PacedRun[]): LatencyCell => {
  const latencies = runs.flatMap((run) => run.latenciesMs)
  return { p50Ms: ms(percentile(latencies, 50)), p99Ms: ms(percentile(latencies, 99)), requests: latencies.length }
}

function problemsOf (name: string, runs: PacedRun[]): string[] {
  const problems: string[] = []
  const errors = runs.reduce((sum, run) => sum + run.errors, 0)
  if (errors > 0) problems.push(`${name}: ${errors} requests without an answer`)
  const other: Record<string, number> = {}
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.statuses)) {
      if (status !== '200') other[status] = (other[status] ?? 0) + count
    }
  }
  if (Object.keys(other).length > 0) problems.push(`${name}: answers ${JSON.stringify(other)}`)
  if (runs.every((run) => run.latenciesMs.length === 0)) problems.push(`${name}: no answers`)
  return problems
}

/**
 * One operation at the grown database's size: blocks of the grown and the smallest database in
 * alternating order, so both see the same moments of a shared machine; the target is judged on the
 * median of the per-pair p99 ratios. Without `smallest` (the quick run), blocks of the grown one only.
 */
async function measureOperation (
  operation: Operation, grown: ScaleTarget, smallest: ScaleTarget | undefined
): Promise<ScaleStep> {
  const load = (seconds: number): PacedLoad =>
    ({ rate: RATES[operation], concurrency: CONCURRENCY[operation], seconds })
  const both = smallest === undefined ? [grown] : [smallest, grown]
  if (PLAN.warmupSeconds > 0) {
    for (const target of both) await pacedRun(load(PLAN.warmupSeconds), target.send(operation))
  }
  const runs = new Map<ScaleTarget, PacedRun[]>(both.map((target) => [target, []]))
  const ratios: number[] = []
  for (let pair = 0; pair < PLAN.pairs; pair++) {
    for (const target of pair % 2 === 0 ? both : [...both].reverse()) {
      runs.get(target)?.push(await pacedRun(load(PLAN.blockSeconds), target.send(operation)))
    }
    if (smallest === undefined) continue
    const [a, b] = [runs.get(grown)?.at(-1), runs.get(smallest)?.at(-1)] as [PacedRun, PacedRun]
    ratios.push(percentile(a.latenciesMs, 99) / percentile(b.latenciesMs, 99))
  }
  const grownRuns = runs.get(grown) ?? []
  const smallestRuns = smallest === undefined ? undefined : runs.get(smallest) ?? []
  return {
    engine: grown.engine,
    rows: grown.rows,
    operation,
    grown: cell(grownRuns),
    ...smallestRuns === undefined
      ? {}
      : { smallest: cell(smallestRuns), p99RatioMedian: ms(percentile(ratios, 50)) },
    problems: [...problemsOf('grown', grownRuns), ...smallestRuns ? problemsOf('smallest', smallestRuns) : []]
  }
}

/** Every size on one engine: two services, the smallest database seeded once, the other grown step by step. */
async function engineSteps (engine: Engine, postgres: PostgresServer | undefined, hash: string, report: ScaleReport) {
  // Both at once: each start is a process and a CLI run. The quick run has no smallest one beside.
  const count = quick ? 1 : 2
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => startScaleTarget(engine, postgres, hash)))
  const targets = started.flatMap((result) => result.status === 'fulfilled' ? [result.value] : [])
  const failed = started.find((result) => result.status === 'rejected')
  if (failed) {
    await Promise.all(targets.map((target) => target.stop()))
    throw (failed as PromiseRejectedResult).reason
  }
  const [grown, smallest] = targets as [ScaleTarget, ScaleTarget | undefined]
  try {
    const first = SIZES[0] as number
    const seconds = await smallest?.seed(first)
    if (seconds !== undefined) {
      progress(`scale ${engine}: the smallest database seeded with ${first} rows per table in ${seconds} s`)
    }
    for (const rows of SIZES) {
      const seeded = await grown.seed(rows)
      report.seeding.push({ engine, rows, seconds: seeded })
      progress(`scale ${engine}: seeded to ${rows} rows per table (users, refresh_tokens, browser_sessions) ` +
        `in ${seeded} s`)
      for (const operation of OPERATIONS) {
        const started = performance.now()
        const step = await measureOperation(operation, grown, smallest)
        report.steps.push(step)
        const took = ((performance.now() - started) / 1000).toFixed(1)
        progress(`scale ${engine} ${rows} ${operation}: p50 ${step.grown.p50Ms} ms, p99 ${step.grown.p99Ms} ms ` +
          (step.smallest ? `(smallest ${step.smallest.p99Ms} ms, ratio ${step.p99RatioMedian}) ` : '') +
          `in ${took} s` +
          (step.problems.length > 0 ? `; ${step.problems.join('; ')}` : ''))
      }
    }
  } finally {
    await Promise.all(targets.map((target) => target.stop()))
  }
}

/**
 * Scenario 9: grant and login latency with users, refresh_tokens and browser_sessions at 10⁴, 10⁵ and
 * 10⁶ rows on SQLite and PostgreSQL, then a steady load with short lifetimes showing the short-lived
 * tables stop growing once their retention has passed.
 */
export async function scaleScenario (): Promise<ScaleReport> {
  const started = performance.now()
  progress(`9. scale: auth-service latency at ${SIZES.join(', ')} rows per table, SQLite and PostgreSQL; retention`)
  const report: ScaleReport = {
    sizes: SIZES,
    plan: { ...PLAN, rates: RATES },
    seeding: [],
    steps: [],
    retention: [],
    seconds: 0
  }
  // Started while SQLite is measured; awaited (and stopped) whatever happens.
  const postgresStart = startPostgresServer()
  let postgres: PostgresServer | undefined
  try {
    // One hash for every seeded user: the service's scrypt, so a login costs what a real one does.
    const hash = await passwordHash(PASSWORD)
    await engineSteps('sqlite', undefined, hash, report)
    postgres = await postgresStart
    await engineSteps('postgres', postgres, hash, report)
    for (const engine of quick ? ['sqlite'] as const : ['sqlite', 'postgres'] as const) {
      report.retention.push(await retentionRun(engine, postgres))
    }
  } catch (error) {
    report.error = (error as Error).message
    progress(`scale: ${report.error}`)
  } finally {
    await (postgres ?? await postgresStart.catch(() => undefined))?.stop()
  }
  report.seconds = Math.round((performance.now() - started) / 1000)
  return report
}
