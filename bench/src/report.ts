import { table } from './format.js'
import type { GrantReport } from './grant-report.js'
import type { IssuersReport } from './issuers-report.js'
import type { Plan, Summary } from './measure.js'
import type { ReplicaReport } from './replica-report.js'
import type { PeerReport } from './peer-report.js'
import type { ScaleReport } from './scale-report.js'
import type { SignalsReport } from './signals-report.js'

export interface ScenarioResult extends Summary {
  name: string
  role: 'baseline' | 'no-cache' | 'jwks' | 'jwks-304' | 'login' | 'probe' | 'flood'
  alg?: string
  /** The status every response should have; 2xx when absent. */
  expectStatus?: number
  flood?: { requests: number, jwksFetches: number, cooldownSeconds: number, windows: number }
}

export interface Report {
  mode: 'quick' | 'full'
  date: string
  machine: { cpus: number, node: string }
  plan: Plan
  scenarios: ScenarioResult[]
  processes: Array<{ name: string, peakRssMiB: number, readyMs?: number }>
  /**
   * One signature verification with Node's crypto, per algorithm, measured in this run (the median of the peer
   * rounds).
   */
  verifyMicros: Partial<Record<string, number>>
  /** The consumer against the bare route and the peers, interleaved. */
  peers: PeerReport
  /** Login and JWKS throughput, 2 auth-service replicas on PostgreSQL beside 1 on SQLite. */
  replicas?: ReplicaReport
  /** client_credentials grants per key store (sealed in the database, a SoftHSM token) and algorithm. */
  grants?: GrantReport
  /** Logout to refusal at two consumers (Shared Signals), two auth replicas on PostgreSQL. */
  signals?: SignalsReport
  /** Grant and login latency by table size (SQLite, PostgreSQL), and the short-lived tables under a steady load. */
  scale?: ScaleReport
  /** The consumer trusting 20 issuers × 100 keys beside 1 × 1. */
  issuers?: IssuersReport
}

/**
 * The targets, as ratios against the bare route measured in the same run. The consumer's protected
 * route and memory have issue 14's targets, in the peer report.
 */
const RATIO_TARGETS: Partial<Record<ScenarioResult['role'], number>> = { jwks: 0.9 }
const PROBE_P99_TARGET_MS = 50
const READY_TARGET_MS = 1000
const verdict = (met: boolean) => met ? 'met' : 'MISSED'

function failed (scenario: ScenarioResult): string | undefined {
  const run = scenario.median
  if (run.errors > 0) return `${run.errors} connection errors or timeouts`
  const expected = String(scenario.expectStatus ?? 200)
  const unexpected = Object.entries(run.statuses).filter(([status]) => status !== expected)
  if (scenario.role === 'login') {
    const bad = unexpected.filter(([status]) => status !== '200')
    if (bad.length > 0) return `unexpected statuses ${JSON.stringify(Object.fromEntries(bad))}`
  } else if (unexpected.length > 0) {
    return `unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected))}`
  }
  if (run.total === 0) return 'no responses'
  return undefined
}

/**
 * The best ratio a fresh token allows: a bare request takes 1/baseline seconds, and a verified one
 * at least that plus one signature verification.
 */
export function ceiling (baselinePerSecond: number, verifyMicros: number | undefined): number {
  if (!baselinePerSecond || verifyMicros === undefined) return 0
  const bareMicros = 1e6 / baselinePerSecond
  return bareMicros / (bareMicros + verifyMicros)
}

/** Prints the tables and target checks; returns how many scenarios failed outright. */
export function printReport (report: Report): number {
  const baseline = report.scenarios.find((scenario) => scenario.role === 'baseline')?.median.requestsPerSecond ?? 0
  let failures = 0
  const rows = report.scenarios.map((scenario) => {
    const { median, min, max } = scenario
    const ratio = baseline ? median.requestsPerSecond / baseline : 0
    const target = RATIO_TARGETS[scenario.role]
    const problem = failed(scenario)
    if (problem) failures++
    let check = target ? `≥ ${target} ${verdict(ratio >= target)}` : ''
    if (scenario.role === 'no-cache') check = 'for comparison'
    if (scenario.role === 'no-cache' && scenario.alg) {
      check += ` (ceiling ${ceiling(baseline, report.verifyMicros[scenario.alg]).toFixed(2)})`
    }
    if (scenario.role === 'probe') {
      check = `p99 ≤ ${PROBE_P99_TARGET_MS} ms ${verdict(median.p99Ms <= PROBE_P99_TARGET_MS)}`
    }
    if (scenario.flood) {
      const { jwksFetches, windows, requests } = scenario.flood
      const met = verdict(jwksFetches <= windows)
      check = `${requests} requests, ${jwksFetches} JWKS fetches in ${windows} windows: ${met}`
    }
    return [
      scenario.name,
      String(median.requestsPerSecond),
      `${min.requestsPerSecond}–${max.requestsPerSecond}`,
      String(median.p99Ms),
      scenario.role === 'baseline' ? '1.00' : ratio.toFixed(2),
      problem ? `FAILED: ${problem}` : check
    ]
  })
  const { machine, plan } = report
  console.log(`\n${report.mode} run, ${report.date}, ${machine.cpus} CPUs, Node ${machine.node}, ` +
    'load generator on the same machine')
  console.log(`each scenario: ${plan.warmupSeconds} s warm-up, median of ${plan.runs} × ${plan.runSeconds} s; ` +
    'the bare route: the peer rounds\' (one RS256 token)\n')
  console.log(table(['scenario', 'req/s', 'min–max', 'p99 ms', '× bare', 'target'], rows))
  const verify = Object.entries(report.verifyMicros).map(([alg, micros]) => `${alg} ${micros} µs`).join(', ')
  const bare = baseline ? (1e6 / baseline).toFixed(1) : '?'
  console.log(`\none signature verification (node:crypto, this run): ${verify}; a bare request: ${bare} µs`)
  console.log(`\n${table(['process', 'peak RSS MiB', 'ready after start'], report.processes.map((process) => {
    const rss = String(process.peakRssMiB)
    const ready = process.readyMs === undefined
      ? ''
      : `${process.readyMs} ms (≤ ${READY_TARGET_MS} ${verdict(process.readyMs <= READY_TARGET_MS)})`
    return [process.name, rss, ready]
  }))}\n`)
  return failures
}
