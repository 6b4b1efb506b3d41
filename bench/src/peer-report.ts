import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { printDpopReport } from './dpop-report.js'
import { table } from './format.js'
import type { Run } from './measure.js'
import type { DpopCostBlock, DpopCostPlan } from './scenarios/dpop-cost.js'

/** The bare route, the consumer, the three peers, and `node-crypto`: the hand-written reference, not a peer. */
export type ServerId = 'bare' | 'consumer' | 'jose' | 'express' | 'fastify-jwt' | 'node-crypto'
/**
 * `reused` and `fresh`: at full load (as many requests as the server answers), for req/s. `-paced`: the same at
 * one offered rate for every server (the plan's `pacedRate`), for CPU per request: CPU per request falls as load
 * rises (a busier event loop handles more requests per wake-up), so at full load a slower server would be charged
 * for its lighter load too. `fresh-dpop`: the consumer alone (no peer speaks DPoP), a fresh DPoP-bound token and
 * a new proof per request; `fresh-dpop-paced` the consumer and the reference at the paced rate (see
 * scenarios/dpop.ts).
 */
export type TokenUse = 'reused' | 'fresh' | 'reused-paced' | 'fresh-paced' | 'fresh-dpop' | 'fresh-dpop-paced'
/** The scenarios every server runs. */
export const TOKEN_USES = ['reused', 'fresh'] as const
export type TokenScenario = typeof TOKEN_USES[number]
export const PEERS: readonly ServerId[] = ['jose', 'express', 'fastify-jwt']

/** One fixed-duration load on one server, with the CPU its process used per answered request. */
export interface PeerRun extends Run {
  round: number
  server: ServerId
  alg: SigningAlgorithm
  token: TokenUse
  /**
   * (utime + stime over the run) / requests answered, in µs; null when nothing was answered or the process was
   * gone.
   */
  cpuMicrosPerRequest: number | null
  /** DPoP runs: proofs that had to be made during the run, the ones made before it having run out. */
  lateProofs?: number
  /** Paced runs: the requests per second offered (autocannon's `overallRate`); otherwise as many as answered. */
  offeredRate?: number
  /** The load generator's CPU (the bench process: autocannon and the requests' set-up) per answered request, µs. */
  generatorCpuMicrosPerRequest?: number | null
  /**
   * What every other process of the machine used over the run, in CPUs (busy time from /proc/stat minus the
   * server's and the bench's, over the run's wall time): 0 on a quiet machine.
   */
  othersCpus?: number | null
}

export interface PeerServer {
  id: ServerId
  label: string
  peakRssMiB: number
  readyMs?: number
  /** Whether the process had died by the end of the runs. */
  exited: boolean
  /** Algorithms the server cannot verify, and why: those cells are n/a. */
  unsupported: Partial<Record<SigningAlgorithm, string>>
}

/** One request of the preflight: a token every server should accept (200) or refuse (401). */
export interface PreflightResult {
  server: ServerId
  check: string
  expected: 200 | 401
  status: number
  /** A 200 whose body is not the consumer's: its message and the token's claims. */
  bodyDiffers?: boolean
}

/**
 * JWKS requests during a server's preflight: the bench issuer's for three unknown kids, the attacker's for its
 * tokens.
 */
export interface PreflightFetches { unknownKids: number, untrustedIssuer: number }

export interface PeerPlan {
  warmupSeconds: number
  /** Each full-load run, for req/s. */
  runSeconds: number
  rounds: number
  connections: number
  poolSize: number
  /** The offered rate of the paced runs, the same for every server; reports from before it have none. */
  pacedRate?: number
  pacedSeconds?: number
}

export interface PeerReport {
  plan: PeerPlan
  servers: PeerServer[]
  runs: PeerRun[]
  /** One signature verification with node:crypto, thread CPU µs, measured once per round. */
  verifyMicros: Partial<Record<SigningAlgorithm, number[]>>
  /** One ES256 DPoP proof's signature verified with node:crypto, thread CPU µs, measured once per round. */
  proofVerifyMicros: number[]
  /** The DPoP scenarios: how many simulated clients (one ES256 key each) sign the proofs. */
  dpopClients?: number
  /** `--only=dpop`: the bare route, the consumer and the reference, fresh tokens of the DPoP algorithms only. */
  dpopOnly?: boolean
  /** DPoP's cost inside the consumer, by access-token algorithm: interleaved in-process blocks (dpop-cost.ts). */
  dpopCost?: Partial<Record<SigningAlgorithm, DpopCostBlock[]>>
  dpopCostPlan?: DpopCostPlan
  preflight: PreflightResult[]
  jwksFetches: Partial<Record<ServerId, PreflightFetches>>
}

export interface Spread { median: number, min: number, max: number }

export function spread (values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return {
    median: sorted[Math.floor(sorted.length / 2)] as number,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number
  }
}

export const runsOf = (report: PeerReport, server: ServerId, alg: SigningAlgorithm, token: TokenUse) =>
  report.runs.filter((run) => run.server === server && run.alg === alg && run.token === token)

/** Per round: the server's req/s over the bare route's, in the same round, algorithm and token use. */
export function ratiosToBare (report: PeerReport, server: ServerId, alg: SigningAlgorithm, token: TokenUse): number[] {
  const bare = runsOf(report, 'bare', alg, token)
  return runsOf(report, server, alg, token).flatMap((run) => {
    const baseline = bare.find((candidate) => candidate.round === run.round)?.requestsPerSecond
    return baseline ? [run.requestsPerSecond / baseline] : []
  })
}

/**
 * The runs CPU per request is read from: the paced ones, every server at one offered rate, when the run has
 * them; the full-load runs in reports from before.
 */
export const cpuUse = (report: PeerReport, token: TokenScenario): TokenUse =>
  report.plan.pacedRate === undefined ? token : `${token}-paced`

export function cpuPerRequest (report: PeerReport, server: ServerId, alg: SigningAlgorithm, token: TokenUse): number[] {
  return runsOf(report, server, alg, token)
    .flatMap((run) => run.cpuMicrosPerRequest === null ? [] : [run.cpuMicrosPerRequest])
}

/** The CPU a fresh token can at best cost: a bare request of this run plus one verification of this run. */
export function ceilingMicros (report: PeerReport, alg: SigningAlgorithm): number | undefined {
  const bare = spread(cpuPerRequest(report, 'bare', alg, cpuUse(report, 'fresh')))?.median
  const verify = spread(report.verifyMicros[alg] ?? [])?.median
  return bare === undefined || verify === undefined ? undefined : bare + verify
}

/** `0.59 (0.57–0.61)`, or the one value when every round agrees; `?` when nothing was measured. */
export function formatSpread (value: Spread | undefined, digits: number): string {
  if (!value) return '?'
  const median = value.median.toFixed(digits)
  const min = value.min.toFixed(digits)
  const max = value.max.toFixed(digits)
  return min === max ? median : `${median} (${min}–${max})`
}

const serverOf = (report: PeerReport, id: ServerId) => report.servers.find((server) => server.id === id)
const supports = (report: PeerReport, id: ServerId, alg: SigningAlgorithm) =>
  serverOf(report, id)?.unsupported[alg] === undefined
const labelOf = (report: PeerReport, id: ServerId) => serverOf(report, id)?.label ?? id

/** The table rows: per algorithm, every server and then the ceiling. */
export function peerRows (report: PeerReport): string[][] {
  return SIGNING_ALGORITHMS.flatMap((alg) => {
    const rows = report.servers.map((server) => {
      const rss = String(server.peakRssMiB)
      if (!supports(report, server.id, alg)) return [server.label, alg, 'n/a', 'n/a', 'n/a', 'n/a', rss]
      const ratio = (token: TokenScenario) => server.id === 'bare'
        ? '1.00'
        : formatSpread(spread(ratiosToBare(report, server.id, alg, token)), 2)
      const cpu = (token: TokenScenario) =>
        formatSpread(spread(cpuPerRequest(report, server.id, alg, cpuUse(report, token))), 0)
      return [server.label, alg, ratio('reused'), ratio('fresh'), cpu('reused'), cpu('fresh'), rss]
    })
    const ceiling = ceilingMicros(report, alg)
    const bare = spread(cpuPerRequest(report, 'bare', alg, cpuUse(report, 'fresh')))?.median
    const ratio = ceiling && bare ? (bare / ceiling).toFixed(2) : '?'
    return [...rows, ['ceiling: bare + one verify', alg, '–', ratio, '–', ceiling ? ceiling.toFixed(0) : '?', '–']]
  })
}

export interface TargetCheck {
  target: string
  measured: string
  met: boolean
  /** What the one-line figure leaves out (the scenarios where the consumer is behind). */
  detail?: string
}

const median = (values: number[]) => spread(values)?.median

/** Issues 14 and 25's targets for the consumer, judged on this run's medians; reported, never enforced. */
export function peerTargets (report: PeerReport): TargetCheck[] {
  const cpu = (server: ServerId, alg: SigningAlgorithm, token: TokenScenario) =>
    median(cpuPerRequest(report, server, alg, cpuUse(report, token)))
  const checks: TargetCheck[] = []

  const fresh = cpu('consumer', 'RS256', 'fresh')
  const ceiling = ceilingMicros(report, 'RS256')
  checks.push({
    target: 'fresh RS256: CPU ≤ 1.3 × (bare + one verify)',
    measured: `${fresh?.toFixed(0) ?? '?'} µs vs ≤ ${ceiling ? (1.3 * ceiling).toFixed(0) : '?'} µs`,
    met: fresh !== undefined && ceiling !== undefined && fresh <= 1.3 * ceiling
  })
  const jose = cpu('jose', 'RS256', 'fresh')
  checks.push({
    target: `fresh RS256: CPU below ${labelOf(report, 'jose')}`,
    measured: `${fresh?.toFixed(0) ?? '?'} µs vs ${jose?.toFixed(0) ?? '?'} µs`,
    met: fresh !== undefined && jose !== undefined && fresh < jose
  })
  const reference = cpu('node-crypto', 'RS256', 'fresh')
  checks.push({
    target: `fresh RS256: CPU ≤ 1.1 × ${labelOf(report, 'node-crypto')}`,
    measured: `${fresh?.toFixed(0) ?? '?'} µs vs ≤ ${reference ? (1.1 * reference).toFixed(0) : '?'} µs`,
    met: fresh !== undefined && reference !== undefined && fresh <= 1.1 * reference
  })

  const reused = SIGNING_ALGORITHMS.map((alg) => ({
    alg,
    ratio: median(ratiosToBare(report, 'consumer', alg, 'reused'))
  }))
  checks.push({
    target: 'one token reused: ≥ 0.75 × bare',
    measured: reused.map(({ alg, ratio }) => `${alg} ${ratio?.toFixed(2) ?? '?'}`).join(', '),
    met: reused.every(({ ratio }) => ratio !== undefined && ratio >= 0.75)
  })

  const behind: string[] = []
  let compared = 0
  let missed = 0
  for (const alg of SIGNING_ALGORITHMS) {
    for (const token of TOKEN_USES) {
      const ours = cpu('consumer', alg, token)
      const peersAhead = PEERS.filter((id) => serverOf(report, id) && supports(report, id, alg)).filter((peer) => {
        compared++
        const theirs = cpu(peer, alg, token)
        return ours === undefined || theirs === undefined || ours >= theirs
      })
      missed += peersAhead.length
      if (peersAhead.length > 0) behind.push(`${alg} ${token} (${peersAhead.join(', ')})`)
    }
  }
  checks.push({
    target: 'ahead of every peer, every scenario (CPU µs per request)',
    measured: missed === 0 ? `ahead in all ${compared}` : `behind in ${missed} of ${compared}`,
    met: compared > 0 && missed === 0,
    ...(behind.length > 0 ? { detail: `behind: ${behind.join('; ')}` } : {})
  })

  const rss = serverOf(report, 'consumer')?.peakRssMiB
  const bareRss = serverOf(report, 'bare')?.peakRssMiB
  checks.push({
    target: 'peak RSS ≤ 1.3 × the bare route\'s',
    measured: `${rss ?? '?'} MiB vs ≤ ${bareRss ? (1.3 * bareRss).toFixed(0) : '?'} MiB`,
    met: rss !== undefined && bareRss !== undefined && rss <= 1.3 * bareRss
  })
  return checks
}

/**
 * What makes the run fail: an error or a non-2xx answer under load, a server that died, a preflight answer that
 * is wrong.
 */
export function peerFailures (report: PeerReport): string[] {
  const failures: string[] = []
  for (const run of report.runs) {
    const where = `${labelOf(report, run.server)}, ${run.alg} ${run.token}, round ${run.round}`
    if (run.errors > 0) failures.push(`${where}: ${run.errors} connection errors or timeouts`)
    const unexpected = Object.entries(run.statuses).filter(([status]) => !status.startsWith('2'))
    if (unexpected.length > 0) {
      failures.push(`${where}: unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected))}`)
    }
    if (run.total === 0) failures.push(`${where}: no responses`)
  }
  for (const server of report.servers.filter((candidate) => candidate.exited)) {
    failures.push(`${server.label}: the process died`)
  }
  for (const result of report.preflight) {
    const accepted = result.status >= 200 && result.status < 300
    const who = labelOf(report, result.server)
    if (result.expected === 200 && result.status !== 200) {
      failures.push(`${who} refused a valid token (${result.check}): ${result.status}`)
    }
    if (result.bodyDiffers) failures.push(`${who} answered ${result.check} with another body than the consumer's`)
    if (result.expected === 401 && accepted) {
      failures.push(`${who} ACCEPTED a token it must refuse (${result.check}): ${result.status}`)
    }
  }
  for (const [id, fetches] of Object.entries(report.jwksFetches)) {
    if (fetches.untrustedIssuer > 0) {
      const who = labelOf(report, id as ServerId)
      failures.push(`${who} fetched the JWKS of an issuer it does not trust, named by a token`)
    }
  }
  return failures
}

/** The preflight as a grid: one row per check, one column per server, the status each answered. */
export function preflightRows (report: PeerReport): { header: string[], rows: string[][] } {
  const servers = report.servers.filter((server) => report.preflight.some((result) => result.server === server.id))
  const checks = [...new Set(report.preflight.map((result) => result.check))]
  const rows = checks.map((check) => {
    const expected = report.preflight.find((result) => result.check === check)?.expected
    return [check, String(expected), ...servers.map((server) => {
      const result = report.preflight.find((candidate) => candidate.server === server.id && candidate.check === check)
      return result === undefined ? '' : `${result.status}${result.bodyDiffers ? ' (other body)' : ''}`
    })]
  })
  const fetches = (name: string, expected: string, count: (fetches: PreflightFetches) => number) =>
    [name, expected, ...servers.map((server) => {
      const fetches = report.jwksFetches[server.id]
      return fetches ? String(count(fetches)) : ''
    })]
  return {
    header: ['preflight', 'expect', ...servers.map((server) => server.id)],
    rows: [
      ...rows,
      fetches('JWKS fetches, 3 unknown kids', '', (f) => f.unknownKids),
      fetches('JWKS fetches from the untrusted issuer', '0', (f) => f.untrustedIssuer)
    ]
  }
}

/** Prints the peer tables, the targets and the failures; returns how many failures there were. */
export function printPeerReport (report: PeerReport): number {
  const { plan } = report
  const warmup = plan.warmupSeconds > 0 ? ` after a ${plan.warmupSeconds} s warm-up each` : ''
  console.log(`\npeers: ${plan.rounds} interleaved round(s) of ${plan.runSeconds} s per server and scenario` +
    `${warmup}, ${plan.connections} connections, ` +
    `fresh tokens cycled from a pool of ${plan.poolSize} per algorithm`)
  const at = plan.pacedRate === undefined
    ? 'over the full-load run'
    : `over a ${plan.pacedSeconds ?? '?'} s run at ${plan.pacedRate} req/s offered to every server`
  console.log('× bare: req/s over the bare route\'s in the same round and scenario, at full load; ' +
    `CPU: the process's run time (every thread) ${at} / requests answered; median (min–max) over rounds\n`)
  if (!report.dpopOnly) printPeerTable(report)
  printDpopReport(report)

  const preflight = preflightRows(report)
  console.log(`\n${table(preflight.header, preflight.rows)}`)

  const short = shortPacedRuns(report)
  if (short > 0) {
    console.log(`${short} paced run(s) answered under 95 % of the offered rate: a server at its limit, or a busy ` +
      'machine; their CPU figures are for a lighter load than the others\'')
  }
  if (!report.dpopOnly) printPeerTargets(report)
  const failures = peerFailures(report)
  for (const failure of failures) console.log(`FAILED: ${failure}`)
  return failures.length
}

function printPeerTable (report: PeerReport): void {
  const header = [
    'server', 'alg', 'reused × bare', 'fresh × bare', 'CPU µs/req reused', 'CPU µs/req fresh', 'peak RSS MiB'
  ]
  console.log(table(header, peerRows(report)))
  for (const server of report.servers) {
    for (const [alg, reason] of Object.entries(server.unsupported)) {
      console.log(`n/a: ${server.label}, ${alg}: ${reason}`)
    }
  }
  const verify = SIGNING_ALGORITHMS
    .map((alg) => `${alg} ${formatSpread(spread(report.verifyMicros[alg] ?? []), 1)} µs`)
    .join(', ')
  console.log(`one verification (node:crypto, thread CPU time, once per round): ${verify}`)
  const generator = generatorRows(report)
  if (generator.length > 0) {
    console.log('load generator (the bench process: autocannon, the tokens\' headers), CPU µs per request: ' +
      generator.join(', '))
  }
}

/** Paced runs that answered under 95 % of the rate offered. */
export const shortPacedRuns = (report: PeerReport): number => report.runs.filter((run) =>
  run.offeredRate !== undefined && run.requestsPerSecond < 0.95 * run.offeredRate).length

/** The bench process's CPU per request, median over every run at full load and every paced run. */
export function generatorRows (report: PeerReport): string[] {
  const of = (paced: boolean) => spread(report.runs.flatMap((run) =>
    (run.offeredRate !== undefined) === paced && typeof run.generatorCpuMicrosPerRequest === 'number'
      ? [run.generatorCpuMicrosPerRequest]
      : []))
  const full = of(false)
  const paced = of(true)
  return [
    ...(full ? [`full load ${formatSpread(full, 0)}`] : []),
    ...(paced ? [`at ${report.plan.pacedRate ?? '?'} req/s ${formatSpread(paced, 0)}`] : [])
  ]
}

function printPeerTargets (report: PeerReport): void {
  const targets = peerTargets(report)
  const targetRows = targets.map(({ target, measured, met }) => [target, measured, met ? 'met' : 'MISSED'])
  console.log(`\n${table(['target (issues 14 and 25), the consumer', 'this run', ''], targetRows)}`)
  for (const { detail } of targets) if (detail) console.log(detail)
}
