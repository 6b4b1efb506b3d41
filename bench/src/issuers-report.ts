import { table } from './format.js'

export type IssuerSetup = '1 issuer × 1 key' | '20 issuers × 100 keys'

/** One run of fresh tokens at the paced rate on one consumer. */
export interface IssuerRun {
  round: number
  setup: IssuerSetup
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  total: number
  /** Answers other than 200, and connection errors. */
  non200: number
  errors: number
  cpuMicrosPerRequest: number | null
}

export interface IssuersReport {
  plan: { rounds: number, runSeconds: number, offeredRate: number, connections: number, poolSize: number }
  runs: IssuerRun[]
  /** JWKS requests each setup's issuers served over the whole part. */
  jwksFetches: Record<string, number>
  error?: string
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)] as number
}

/** Prints the comparison; returns how many things failed (answers, errors), not missed targets. */
export function printIssuersReport (report: IssuersReport): number {
  let failures = report.error === undefined ? 0 : 1
  if (report.error !== undefined) console.log(`\nissuers: FAILED: ${report.error}`)
  const { plan } = report
  console.log('\nThe consumer trusting 20 issuers × 100 keys beside 1 issuer × 1 key: fresh RS256 tokens ' +
    `(a pool of ${plan.poolSize}, spread over every issuer and kid) at ${plan.offeredRate} req/s offered, ` +
    `${plan.connections} connections, ${plan.rounds} interleaved round(s) of ${plan.runSeconds} s`)
  const setups: IssuerSetup[] = ['1 issuer × 1 key', '20 issuers × 100 keys']
  const of = (setup: IssuerSetup) => report.runs.filter((run) => run.setup === setup)
  const ratios = report.runs.filter((run) => run.setup === setups[1]).map((many) => {
    const one = report.runs.find((run) => run.setup === setups[0] && run.round === many.round)
    const [a, b] = [many.cpuMicrosPerRequest, one?.cpuMicrosPerRequest]
    return a && b ? a / b : Number.NaN
  }).filter((ratio) => Number.isFinite(ratio))
  console.log(table(['setup', 'req/s', 'CPU µs/req', 'min–max', 'p50 ms', 'p99 ms', 'JWKS fetches', ''],
    setups.map((setup) => {
      const runs = of(setup)
      const cpu = runs.map((run) => run.cpuMicrosPerRequest).filter((value): value is number => value !== null)
      const bad = runs.reduce((sum, run) => sum + run.non200 + run.errors, 0)
      if (bad > 0 || runs.length === 0) failures++
      return [setup, String(median(runs.map((run) => run.requestsPerSecond))), String(median(cpu)),
        `${Math.min(...cpu)}–${Math.max(...cpu)}`, String(median(runs.map((run) => run.p50Ms))),
        String(median(runs.map((run) => run.p99Ms))), String(report.jwksFetches[setup] ?? 0),
        bad > 0 ? `FAILED: ${bad} answers not 200 or errors` : runs.length === 0 ? 'FAILED: no runs' : '']
    })))
  console.log(`CPU per request, 20 × 100 ÷ 1 × 1, median of the rounds' ratios: ${median(ratios).toFixed(2)}`)
  return failures
}
