import { cpus } from 'node:os'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONNECTIONS, type Plan, type Summary } from './measure.js'
import type { PeerReport } from './peer-report.js'
import type { Report, ScenarioResult } from './report.js'
import type { DpopCostPlan } from './scenarios/dpop-cost.js'
import type { ServiceProcess } from '@repo/service-harness/service-process'

/** What one `pnpm bench` invocation shares: its plan, its constants and the report it fills. */
export const HERE = dirname(fileURLToPath(import.meta.url))
export const quick = process.argv.includes('--quick')
export const plan: Plan = quick
  ? { warmupSeconds: 0, runSeconds: 1, runs: 1 }
  : { warmupSeconds: 2, runSeconds: 5, runs: 3 }
// Larger than the consumer's verified-token cache (1000), so every request is a miss.
export const POOL_SIZE = quick ? 2000 : 5000
/**
 * CPU per request is measured with every server offered this many requests per second (autocannon's
 * `overallRate`), below the slowest server's throughput here (about 2500 req/s): see peer-report.ts.
 */
const PACED = { pacedRate: 1000, pacedSeconds: quick ? 1 : 1.5 }
/**
 * The peer comparison: every server and scenario once per round, rounds interleaved (issue 14: 5 rounds,
 * 50 connections).
 */
export const peers: PeerReport = {
  plan: quick
    ? { warmupSeconds: 0, runSeconds: 1, rounds: 1, connections: CONNECTIONS, poolSize: POOL_SIZE, ...PACED }
    : { warmupSeconds: 1, runSeconds: 1, rounds: 8, connections: CONNECTIONS, poolSize: POOL_SIZE, ...PACED },
  servers: [],
  runs: [],
  verifyMicros: {},
  proofVerifyMicros: [],
  preflight: [],
  jwksFetches: {}
}
/** DPoP's in-process cost: blocks of 100 requests, interleaved triples (scenarios/dpop-cost.ts). */
export const DPOP_COST_PLAN: DpopCostPlan = quick
  ? { blockSize: 100, triples: 8, warmupTriples: 2 }
  : { blockSize: 100, triples: 40, warmupTriples: 5 }
export const FLOOD_SECONDS = quick ? 3 : 10
export const FLOOD_COOLDOWN_SECONDS = 1
/**
 * The environment of every server the bench starts. `BENCH_NODE_OPTIONS` (say `--cpu-prof --cpu-prof-dir=…`)
 * is passed to them as NODE_OPTIONS, to profile the servers and not the load.
 */
const nodeOptions = process.env.BENCH_NODE_OPTIONS
export const QUIET = { LOG_LEVEL: 'warn', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) }

export const report: Report = {
  mode: quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  plan,
  scenarios: [],
  processes: [],
  verifyMicros: {},
  peers
}

export function progress (line: string) {
  process.stderr.write(`bench: ${line}\n`)
}

export function record (
  name: string,
  summary: Summary,
  extra: Pick<ScenarioResult, 'role'> & Partial<ScenarioResult>
): ScenarioResult {
  const result: ScenarioResult = { name, ...summary, ...extra }
  report.scenarios.push(result)
  progress(`${name}: ${summary.median.requestsPerSecond} req/s, p99 ${summary.median.p99Ms} ms`)
  return result
}

export async function timeToReady (service: ServiceProcess, startedAt: number): Promise<number> {
  await service.waitUntilReady()
  return Math.round(performance.now() - startedAt)
}
