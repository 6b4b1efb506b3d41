import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { table } from './format.js'
import {
  cpuPerRequest, formatSpread, runsOf, spread, type PeerReport, type TargetCheck, type TokenUse
} from './peer-report.js'

/** Issue 23: DPoP may add to a request at most one proof verification and this much. */
export const DPOP_SLACK_MICROS = 25

/** Per round: the consumer's CPU µs per fresh-token request with DPoP minus without, same round and alg. */
export function dpopExtraMicros (report: PeerReport, alg: SigningAlgorithm): number[] {
  const bearer = runsOf(report, 'consumer', alg, 'fresh')
  return runsOf(report, 'consumer', alg, 'fresh-dpop').flatMap((run) => {
    const without = bearer.find((candidate) => candidate.round === run.round)?.cpuMicrosPerRequest
    return run.cpuMicrosPerRequest === null || without === null || without === undefined
      ? []
      : [Math.round((run.cpuMicrosPerRequest - without) * 10) / 10]
  })
}

/** The access-token algorithms the run measured with DPoP. */
export const dpopAlgs = (report: PeerReport): SigningAlgorithm[] =>
  SIGNING_ALGORITHMS.filter((alg) => runsOf(report, 'consumer', alg, 'fresh-dpop').length > 0)

const median = (values: readonly number[]) => spread(values)?.median

/** What DPoP may add: one proof verification of this run (median over rounds) plus the slack. */
export function dpopLimitMicros (report: PeerReport): number | undefined {
  const verify = median(report.proofVerifyMicros)
  return verify === undefined ? undefined : verify + DPOP_SLACK_MICROS
}

/** Per algorithm, the median extra cost against the limit; reported, never enforced (as issue 14's targets). */
export function dpopChecks (report: PeerReport): TargetCheck[] {
  const limit = dpopLimitMicros(report)
  return dpopAlgs(report).map((alg) => {
    const extra = median(dpopExtraMicros(report, alg))
    return {
      target: `${alg} token, ES256 proof: DPoP − bearer ≤ one proof verification + ${DPOP_SLACK_MICROS} µs`,
      measured: `${extra?.toFixed(0) ?? '?'} µs vs ≤ ${limit?.toFixed(0) ?? '?'} µs`,
      met: extra !== undefined && limit !== undefined && extra <= limit
    }
  })
}

/** Per algorithm: the consumer's CPU and req/s with a bearer token and with DPoP, and the difference. */
export function dpopRows (report: PeerReport): string[][] {
  const limit = dpopLimitMicros(report)
  return dpopAlgs(report).map((alg) => {
    const cpu = (token: TokenUse) => formatSpread(spread(cpuPerRequest(report, 'consumer', alg, token)), 0)
    const rate = (token: TokenUse) => formatSpread(
      spread(runsOf(report, 'consumer', alg, token).map((run) => run.requestsPerSecond)), 0)
    const extra = spread(dpopExtraMicros(report, alg))
    const met = extra !== undefined && limit !== undefined && extra.median <= limit
    return [
      alg, rate('fresh'), rate('fresh-dpop'), cpu('fresh'), cpu('fresh-dpop'), formatSpread(extra, 0),
      limit === undefined ? '?' : `≤ ${limit.toFixed(0)} ${met ? 'met' : 'MISSED'}`
    ]
  })
}

/** The DPoP table and its check, after the peer tables; nothing when the run had no DPoP scenario. */
export function printDpopReport (report: PeerReport): void {
  if (dpopAlgs(report).length === 0) return
  console.log('\nDPoP, consumer-service: a fresh DPoP-bound token (cnf.jkt) per request, each with a new ES256 proof ' +
    `signed before the run by one of ${report.dpopClients ?? '?'} clients (a key each); right after the consumer's ` +
    'fresh bearer run of the same round; median (min–max) over rounds\n')
  const header = [
    'token alg', 'bearer req/s', 'DPoP req/s', 'bearer CPU µs/req', 'DPoP CPU µs/req', 'DPoP − bearer µs',
    'one proof verify + 25'
  ]
  console.log(table(header, dpopRows(report)))
  console.log('one ES256 proof verification (node:crypto, ieee-p1363 signature, thread CPU time, once per round): ' +
    `${formatSpread(spread(report.proofVerifyMicros), 1)} µs`)
  const late = report.runs.reduce((sum, run) => sum + (run.lateProofs ?? 0), 0)
  if (late > 0) console.log(`${late} proofs were made during runs (the ones made before ran out): load on the bench`)
}
