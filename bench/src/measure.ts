import autocannon, { type Options, type Result } from 'autocannon'

export interface Run {
  requestsPerSecond: number
  p99Ms: number
  p50Ms: number
  total: number
  non2xx: number
  errors: number
  /** Responses by HTTP status. */
  statuses: Record<string, number>
}

export interface Summary {
  median: Run
  min: Run
  max: Run
  runs: Run[]
}

export interface Plan {
  warmupSeconds: number
  runSeconds: number
  runs: number
}

export function toRun (result: Result): Run {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count ?? 0])
    )
  }
}

/** A single run reported as a summary of one. */
export function single (result: Result): Summary {
  const run = toRun(result)
  return { median: run, min: run, max: run, runs: [run] }
}

/** Concurrent connections of every load unless a scenario says otherwise (issue 14 compares the peers at 50). */
export const CONNECTIONS = 50

export function cannon (options: Options): Promise<Result> {
  return autocannon({ connections: CONNECTIONS, pipelining: 1, ...options })
}

export const middle = <T>(values: T[], by: (value: T) => number): T =>
  [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)] as T

/** The median run by req/s, with the slowest and the fastest. */
export function summarize (runs: Run[]): Summary {
  const rate = (run: Run) => run.requestsPerSecond
  return {
    median: middle(runs, rate),
    min: runs.reduce((a, b) => (rate(a) <= rate(b) ? a : b)),
    max: runs.reduce((a, b) => (rate(a) >= rate(b) ? a : b)),
    runs
  }
}

/** A warm-up, then `runs` fixed-duration runs; the median run by req/s, with min and max. */
export async function measure (plan: Plan, options: Options): Promise<Summary> {
  if (plan.warmupSeconds > 0) await cannon({ ...options, duration: plan.warmupSeconds })
  const runs: Run[] = []
  for (let i = 0; i < plan.runs; i++) runs.push(toRun(await cannon({ ...options, duration: plan.runSeconds })))
  return summarize(runs)
}

/** Cycles through `values`: every request gets the next one. */
export function cycle<T> (values: readonly T[]): () => T {
  let index = 0
  return () => values[index++ % values.length] as T
}
