import { table } from './format.js'
import { printGrantFlowReport, type GrantFlowReport } from './grant-flow-report.js'
import { middle, type Plan, type Run } from './measure.js'

export { grantsPerCore } from './grant-flow-report.js'

/** Where the private keys are: sealed in the database (the default), or in a PKCS#11 token (SoftHSM here). */
export const KEY_STORES = ['database', 'pkcs11'] as const
export type KeyStore = typeof KEY_STORES[number]

/** One run of client_credentials grants, with the auth process's CPU per answered grant. */
export interface GrantRun extends Run {
  cpuMicrosPerGrant: number | null
}

/** One store and algorithm: its runs, or why it has none. */
export interface GrantResult {
  store: KeyStore
  alg: string
  /** Why this store could not be measured here (no SoftHSM, a build without it): n/a, not a failure. */
  unavailable?: string
  /** What went wrong while measuring it: a failure. */
  error?: string
  runs: GrantRun[]
}

export interface GrantReport {
  plan: Plan & { connections: number }
  results: GrantResult[]
  /** CPU µs of one signature with node:crypto, per algorithm, measured in this run. */
  signatureMicros: Partial<Record<string, number>>
  /** CPU µs to open one sealed key (openPrivateKey + createPrivateKey), per algorithm: once per key, not per token. */
  unsealMicros: Partial<Record<string, number>>
  /** Every grant flow on SQLite and PostgreSQL (scenarios/grant-flows.ts). */
  flows?: GrantFlowReport
}

/** A result's figures: the median run by grants/s, the median CPU per grant, and what of it is not the signature. */
export interface GrantFigures {
  grantsPerSecond: number
  min: number
  max: number
  cpuMicrosPerGrant: number | null
  restMicros: number | null
}

const tenths = (value: number) => Math.round(value * 10) / 10

export function grantFigures (result: GrantResult, signatureMicros: number | undefined): GrantFigures | undefined {
  if (result.unavailable !== undefined || result.error !== undefined || result.runs.length === 0) return undefined
  const rates = result.runs.map((run) => run.requestsPerSecond)
  const cpu = result.runs.flatMap((run) => run.cpuMicrosPerGrant === null ? [] : [run.cpuMicrosPerGrant])
  const cpuMicrosPerGrant = cpu.length > 0 ? middle(cpu, (micros) => micros) : null
  return {
    grantsPerSecond: middle(rates, (rate) => rate),
    min: Math.min(...rates),
    max: Math.max(...rates),
    cpuMicrosPerGrant,
    restMicros: cpuMicrosPerGrant === null || signatureMicros === undefined
      ? null
      : tenths(cpuMicrosPerGrant - signatureMicros)
  }
}

/** Why a measured result failed: an error, an answer other than 200, no answers. Undefined when it passed. */
export function grantFailure (result: GrantResult): string | undefined {
  if (result.error !== undefined) return result.error
  if (result.unavailable !== undefined) return undefined
  if (result.runs.length === 0) return 'no runs'
  const errors = result.runs.reduce((sum, run) => sum + run.errors, 0)
  if (errors > 0) return `${errors} connection errors or timeouts`
  const statuses: Record<string, number> = {}
  for (const run of result.runs) {
    for (const [status, count] of Object.entries(run.statuses)) {
      if (status !== '200') statuses[status] = (statuses[status] ?? 0) + count
    }
  }
  if (Object.keys(statuses).length > 0) return `unexpected statuses ${JSON.stringify(statuses)}`
  if (result.runs.some((run) => run.total === 0)) return 'no responses'
  return undefined
}

const micros = (value: number | null | undefined) => value === null || value === undefined ? '?' : String(value)

/** Prints the store × algorithm table and the unsealing line; returns how many results failed. */
export function printGrantReport (report: GrantReport, print: (line: string) => void = console.log): number {
  let failures = 0
  const rows = report.results.map((result) => {
    const signature = report.signatureMicros[result.alg]
    const figures = grantFigures(result, signature)
    const problem = grantFailure(result)
    if (problem) failures++
    if (figures === undefined) {
      const note = problem ? `FAILED: ${problem}` : result.unavailable ?? ''
      return [result.store, result.alg, 'n/a', '', 'n/a', micros(signature), 'n/a', note]
    }
    return [
      result.store,
      result.alg,
      String(figures.grantsPerSecond),
      `${figures.min}–${figures.max}`,
      micros(figures.cpuMicrosPerGrant),
      micros(signature),
      micros(figures.restMicros),
      problem ? `FAILED: ${problem}` : ''
    ]
  })
  const { plan } = report
  print('')
  print(`auth-service client_credentials grants (client_secret_basic, SQLite, ${plan.connections} connections; ` +
    `${plan.warmupSeconds} s warm-up, median of ${plan.runs} × ${plan.runSeconds} s)`)
  print(table(['key store', 'alg', 'grants/s', 'min–max', 'CPU µs/grant', 'signature µs', 'rest µs', 'note'], rows))
  const unseal = Object.entries(report.unsealMicros).map(([alg, value]) => `${alg} ${value} µs`).join(', ')
  print('signature µs: one signature with node:crypto in the bench process; rest µs: CPU µs/grant minus it ' +
    '(HTTP, client authentication, claims, JSON; with pkcs11, the token\'s signing counts here too)')
  print('opening one sealed key (openPrivateKey + createPrivateKey), once per key when the service loads it, ' +
    `never per token: ${unseal}`)
  if (report.flows) failures += printGrantFlowReport(report.flows, print)
  return failures
}
