import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { table } from './format.js'
import {
  cpuPerRequest, formatSpread, runsOf, spread, type PeerReport, type PeerRun, type ServerId, type TargetCheck,
  type TokenUse
} from './peer-report.js'
import type { DpopCostBlock } from './scenarios/dpop-cost.js'

/** Issue 23: DPoP may add to a request at most one proof verification and this much. */
export const DPOP_SLACK_MICROS = 25

/** The runs a DPoP comparison of `server` takes: the paced pair when the run has one, else the full-load runs. */
function pair (report: PeerReport, server: ServerId, alg: SigningAlgorithm): [TokenUse, TokenUse] {
  return runsOf(report, server, alg, 'fresh-dpop-paced').length > 0
    ? ['fresh-paced', 'fresh-dpop-paced']
    : ['fresh', 'fresh-dpop']
}

/** Per round: `server`'s CPU µs per fresh-token request with DPoP minus without, same round, alg and offered rate. */
export function dpopExtraMicros (report: PeerReport, alg: SigningAlgorithm, server: ServerId = 'consumer'): number[] {
  const [bearerUse, dpopUse] = pair(report, server, alg)
  const bearer = runsOf(report, server, alg, bearerUse)
  return runsOf(report, server, alg, dpopUse).flatMap((run) => {
    const without = bearer.find((candidate) => candidate.round === run.round)?.cpuMicrosPerRequest
    return run.cpuMicrosPerRequest === null || without === null || without === undefined
      ? []
      : [Math.round((run.cpuMicrosPerRequest - without) * 10) / 10]
  })
}

/** The access-token algorithms the run measured the consumer with DPoP. */
export const dpopAlgs = (report: PeerReport): SigningAlgorithm[] =>
  SIGNING_ALGORITHMS.filter((alg) => runsOf(report, 'consumer', alg, 'fresh-dpop').length > 0)

const median = (values: readonly number[]) => spread(values)?.median

/**
 * One proof verification as a server pays it: the reference's DPoP − bearer at the consumer's offered rate
 * (it verifies the proof's signature and nothing else) when the run has it; otherwise the bench process's
 * own measurement of one verification, which runs with warm caches and no load beside it.
 */
export function proofVerificationMicros (report: PeerReport, alg: SigningAlgorithm): number | undefined {
  return median(dpopExtraMicros(report, alg, 'node-crypto')) ?? median(report.proofVerifyMicros)
}

/** What DPoP may add to the consumer's request for an `alg` token: one proof verification plus the slack. */
export function dpopLimitMicros (report: PeerReport, alg: SigningAlgorithm): number | undefined {
  const verify = proofVerificationMicros(report, alg)
  return verify === undefined ? undefined : verify + DPOP_SLACK_MICROS
}

/**
 * The in-process triples of `alg` (scenarios/dpop-cost.ts): what DPoP adds beyond one proof verification,
 * each: DPoP − reference (a bearer request plus one proof verification).
 */
export const dpopOverVerification = (report: PeerReport, alg: SigningAlgorithm): number[] =>
  (report.dpopCost?.[alg] ?? []).map(({ reference, dpop }) => dpop - reference)

/**
 * Per algorithm, the extra cost against the limit; reported, never enforced (as issue 14's targets). Judged
 * on the in-process triples when the run has them (steady), else on the HTTP runs.
 */
export function dpopChecks (report: PeerReport): TargetCheck[] {
  const inProcess = dpopCostAlgs(report).map((alg) => {
    const over = median(dpopOverVerification(report, alg))
    return {
      target: `${alg} token, ES256 proof, in process: DPoP − (bearer + one proof verification) ` +
        `≤ ${DPOP_SLACK_MICROS} µs`,
      measured: `${over?.toFixed(1) ?? '?'} µs`,
      met: over !== undefined && over <= DPOP_SLACK_MICROS
    }
  })
  if (inProcess.length > 0) return inProcess
  return dpopAlgs(report).map((alg) => {
    const extra = median(dpopExtraMicros(report, alg))
    const limit = dpopLimitMicros(report, alg)
    return {
      target: `${alg} token, ES256 proof: DPoP − bearer ≤ one proof verification + ${DPOP_SLACK_MICROS} µs`,
      measured: `${extra?.toFixed(0) ?? '?'} µs vs ≤ ${limit?.toFixed(0) ?? '?'} µs`,
      met: extra !== undefined && limit !== undefined && extra <= limit
    }
  })
}

/**
 * Per algorithm: the consumer's req/s at full load with a bearer token and with DPoP; the offered rate of
 * the paced pair; the consumer's CPU per request with each at that rate, their difference, and the limit.
 */
export function dpopRows (report: PeerReport): string[][] {
  return dpopAlgs(report).map((alg) => {
    const [bearerUse, dpopUse] = pair(report, 'consumer', alg)
    const paced = runsOf(report, 'consumer', alg, 'fresh-dpop-paced')
    const cpu = (token: TokenUse) => formatSpread(spread(cpuPerRequest(report, 'consumer', alg, token)), 0)
    const rate = (runs: PeerRun[], of: (run: PeerRun) => number) => formatSpread(spread(runs.map(of)), 0)
    const fullLoad = (token: TokenUse) => rate(runsOf(report, 'consumer', alg, token), (run) => run.requestsPerSecond)
    const extra = spread(dpopExtraMicros(report, alg))
    const verify = proofVerificationMicros(report, alg)
    const limit = dpopLimitMicros(report, alg)
    const met = extra !== undefined && limit !== undefined && extra.median <= limit
    return [
      alg, fullLoad('fresh'), fullLoad('fresh-dpop'),
      paced.length > 0 ? rate(paced, (run) => run.offeredRate ?? 0) : '–',
      cpu(bearerUse), cpu(dpopUse), formatSpread(extra, 0), verify === undefined ? '?' : verify.toFixed(0),
      limit === undefined ? '?' : `≤ ${limit.toFixed(0)} ${met ? 'met' : 'MISSED'}`
    ]
  })
}

/** The access-token algorithms whose DPoP cost was measured in process. */
export const dpopCostAlgs = (report: PeerReport): SigningAlgorithm[] =>
  SIGNING_ALGORITHMS.filter((alg) => (report.dpopCost?.[alg]?.length ?? 0) > 0)

/** Median and interquartile range, as `median (p25–p75)`. */
function quartiles (values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number
  return `${at(0.5).toFixed(1)} (${at(0.25).toFixed(1)}–${at(0.75).toFixed(1)})`
}

/** Per algorithm, the in-process triples: bearer, reference, DPoP, one verification, and what DPoP adds beyond it. */
export function dpopCostRows (report: PeerReport): string[][] {
  return dpopCostAlgs(report).map((alg) => {
    const blocks = report.dpopCost?.[alg] ?? []
    const over = dpopOverVerification(report, alg)
    const met = (median(over) ?? Number.POSITIVE_INFINITY) <= DPOP_SLACK_MICROS
    const of = (figure: (block: DpopCostBlock) => number) => quartiles(blocks.map(figure))
    return [
      alg, of((block) => block.bearer), of((block) => block.dpop), of((block) => block.dpop - block.bearer),
      of((block) => block.reference - block.bearer), quartiles(over), `≤ ${DPOP_SLACK_MICROS} ${met ? 'met' : 'MISSED'}`
    ]
  })
}

function printDpopCost (report: PeerReport): void {
  if (dpopCostAlgs(report).length === 0) return
  const plan = report.dpopCostPlan
  console.log('\nDPoP\'s cost inside the consumer: the service built in the bench process and driven with inject ' +
    `(every hook and the route, no socket), ${plan?.triples ?? '?'} interleaved triples of ${plan?.blockSize ?? '?'} ` +
    'requests: fresh bearer tokens; the reference, bearer requests carrying a new proof\'s bytes, each followed by ' +
    'that proof\'s verification (node:crypto); fresh DPoP-bound tokens with new ES256 proofs. CPU µs per request ' +
    'from process.cpuUsage() (all threads); median (p25–p75) over triples\n')
  const header = [
    'token alg', 'bearer', 'DPoP', 'DPoP − bearer', 'one proof verification (reference − bearer)',
    'DPoP − reference', 'target'
  ]
  console.log(table(header, dpopCostRows(report)))
}

/** The DPoP table and its check, after the peer tables; nothing when the run had no DPoP scenario. */
export function printDpopReport (report: PeerReport): void {
  if (dpopAlgs(report).length === 0) return
  console.log('\nDPoP, consumer-service: a fresh DPoP-bound token (cnf.jkt) per request, each with a new ES256 proof ' +
    `signed before the run by one of ${report.dpopClients ?? '?'} clients (a key each). req/s: at full load. ` +
    'CPU per request: bearer and DPoP both at the peer comparison\'s offered rate, so DPoP is not charged for a ' +
    'lighter load. One proof verification: the reference server\'s DPoP − ' +
    'bearer at that rate (it verifies the proof\'s signature, nothing else). Median (min–max) over rounds\n')
  const header = [
    'token alg', 'bearer req/s', 'DPoP req/s', 'paced at req/s', 'bearer CPU µs/req', 'DPoP CPU µs/req',
    'DPoP − bearer µs', 'one proof verification µs', 'limit: verification + 25'
  ]
  console.log(table(header, dpopRows(report)))
  console.log('one ES256 proof verification in the bench process (node:crypto, warm, no load beside it, thread CPU ' +
    `time, once per round): ${formatSpread(spread(report.proofVerifyMicros), 1)} µs`)
  const late = report.runs.reduce((sum, run) => sum + (run.lateProofs ?? 0), 0)
  if (late > 0) console.log(`${late} proofs were made during runs (the ones made before ran out): load on the bench`)
  printDpopCost(report)
}
