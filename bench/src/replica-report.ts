import type { Run } from './measure.js'

/** One setup's throughput in one round: the sum over its replicas. */
export interface ReplicaRun {
  setup: ReplicaSetup
  endpoint: 'login' | 'jwks'
  requestsPerSecond: number
  total: number
  non2xx: number
  errors: number
}

export type ReplicaSetup = '1 replica, SQLite' | '2 replicas, PostgreSQL'

export interface ReplicaReport {
  rounds: number
  runs: ReplicaRun[]
}

/** Runs of one setup's replicas, measured side by side, as one figure for the setup. */
export function combine (setup: ReplicaSetup, endpoint: ReplicaRun['endpoint'], runs: Run[]): ReplicaRun {
  const sum = (pick: (run: Run) => number) => runs.reduce((total, run) => total + pick(run), 0)
  return {
    setup,
    endpoint,
    requestsPerSecond: sum((run) => run.requestsPerSecond),
    total: sum((run) => run.total),
    non2xx: sum((run) => run.non2xx),
    errors: sum((run) => run.errors)
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

/**
 * The median over rounds of each setup and endpoint, and PostgreSQL's ratio to SQLite; returns how many runs
 * failed.
 */
export function printReplicaReport (
  { rounds, runs }: ReplicaReport,
  print: (line: string) => void = console.log
): number {
  const failed = runs.filter((run) => run.errors > 0 || run.non2xx > 0 || run.total === 0)
  const figure = (setup: ReplicaSetup, endpoint: ReplicaRun['endpoint']) =>
    median(runs.filter((run) => run.setup === setup && run.endpoint === endpoint).map((run) => run.requestsPerSecond))
  print('')
  const roundsText = `${rounds} interleaved round${rounds === 1 ? '' : 's'}`
  print(`auth-service replicas (RS256; median of ${roundsText}; the load split evenly over the replicas)`)
  print(`${'setup'.padEnd(26)}${'login req/s'.padStart(14)}${'JWKS req/s'.padStart(14)}`)
  for (const setup of ['1 replica, SQLite', '2 replicas, PostgreSQL'] as const) {
    const login = String(figure(setup, 'login'))
    const jwks = String(figure(setup, 'jwks'))
    print(`${setup.padEnd(26)}${login.padStart(14)}${jwks.padStart(14)}`)
  }
  const ratio = (endpoint: ReplicaRun['endpoint']) => {
    const base = figure('1 replica, SQLite', endpoint)
    return base ? (figure('2 replicas, PostgreSQL', endpoint) / base).toFixed(2) : '–'
  }
  print(`2 replicas on PostgreSQL ÷ 1 on SQLite: login ${ratio('login')}×, JWKS ${ratio('jwks')}× ` +
    '(on 2 cores: nothing slower is the point, not double)')
  for (const run of failed) {
    print(`FAILED ${run.setup} ${run.endpoint}: ${run.errors} errors, ${run.non2xx} non-2xx, ${run.total} responses`)
  }
  return failed.length
}
