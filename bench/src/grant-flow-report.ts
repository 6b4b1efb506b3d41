import type { GrantsPerCore } from './charts/chart-data.js'
import { table } from './format.js'
import { middle, type Plan } from './measure.js'

export const GRANT_DATABASES = ['sqlite', 'postgres'] as const
export type GrantDatabase = typeof GRANT_DATABASES[number]
/** `client_credentials` by its two client authentications, a refresh, and the code flow's token request. */
export const GRANT_FLOWS = ['client_secret_basic', 'private_key_jwt', 'refresh_token', 'authorization_code'] as const
export type GrantFlow = typeof GRANT_FLOWS[number]

/** Signatures the service makes per grant: the code flow's answer has an ID token beside the access token. */
const SIGNATURES: Record<GrantFlow, number> = {
  client_secret_basic: 1, private_key_jwt: 1, refresh_token: 1, authorization_code: 2
}
const LABELS: Record<GrantFlow, string> = {
  client_secret_basic: 'client_credentials, client_secret_basic',
  private_key_jwt: 'client_credentials, private_key_jwt',
  refresh_token: 'refresh_token (public client)',
  authorization_code: 'authorization_code + PKCE (public client)'
}
/** The target: a client_credentials grant costs at most its signature and this much CPU. */
export const REST_TARGET_MICROS = 150

export interface GrantFlowRun {
  database: GrantDatabase
  alg: string
  flow: GrantFlow
  round: number
  /** 200 answers. */
  grants: number
  seconds: number
  grantsPerSecond: number
  /** The auth process's CPU (utime + stime, every thread) over the run, per 200 answer. */
  cpuMicrosPerGrant: number | null
  statuses: Record<string, number>
  errors: number
}

export interface GrantFlowReport {
  plan: Plan & { connections: number, poolGrants: number }
  runs: GrantFlowRun[]
  /** A service that could not be set up or measured. */
  failures: Array<{ database: GrantDatabase, alg: string, error: string }>
  /** One signature with node:crypto and a prepared key, per algorithm, in the bench process. */
  signatureMicros: Partial<Record<string, number>>
  /** One Ed25519 verification (the bench's client assertions are EdDSA): private_key_jwt's floor adds it. */
  assertionVerifyMicros: number
}

export interface GrantFlowFigures {
  database: GrantDatabase
  alg: string
  flow: GrantFlow
  grantsPerSecond: number
  cpuMicrosPerGrant: number
  /** What cryptography the grant needs at least: its signatures (and an assertion's verification). */
  floorMicros: number | undefined
  /** 1 / CPU seconds per grant: grants per second one busy core gives. */
  grantsPerCore: number
}

const tenths = (value: number) => Math.round(value * 10) / 10

/** The median of each database, algorithm and flow over the rounds. */
export function grantFlowFigures (report: GrantFlowReport): GrantFlowFigures[] {
  const groups = new Map<string, GrantFlowRun[]>()
  for (const run of report.runs) {
    const key = `${run.database} ${run.alg} ${run.flow}`
    groups.set(key, [...groups.get(key) ?? [], run])
  }
  return [...groups.values()].flatMap((runs) => {
    const cpu = runs.flatMap((run) => run.cpuMicrosPerGrant === null ? [] : [run.cpuMicrosPerGrant])
    const first = runs[0]
    if (cpu.length === 0 || first === undefined) return []
    const cpuMicrosPerGrant = middle(cpu, (micros) => micros)
    const signature = report.signatureMicros[first.alg]
    const floorMicros = signature === undefined
      ? undefined
      : tenths(SIGNATURES[first.flow] * signature +
        (first.flow === 'private_key_jwt' ? report.assertionVerifyMicros : 0))
    return [{
      database: first.database,
      alg: first.alg,
      flow: first.flow,
      grantsPerSecond: middle(runs.map((run) => run.grantsPerSecond), (rate) => rate),
      cpuMicrosPerGrant,
      floorMicros,
      grantsPerCore: Math.round(1e6 / cpuMicrosPerGrant)
    }]
  })
}

/** Why a run failed (an error, an answer other than 200, no answers); undefined when it passed. */
export function grantFlowFailure (run: GrantFlowRun): string | undefined {
  if (run.errors > 0) return `${run.errors} connection errors or timeouts`
  const other = Object.entries(run.statuses).filter(([status]) => status !== '200')
  if (other.length > 0) return `unexpected statuses ${JSON.stringify(Object.fromEntries(other))}`
  if (run.grants === 0) return 'no responses'
  return undefined
}

/** Published figures, per core of the authorization server alone, with their conditions. */
export const PUBLISHED_GRANTS_PER_CORE = [
  {
    label: 'Ory Hydra, client_credentials',
    grantsPerCore: 257,
    note: '513 grants/s on a CI machine of 2 cores and 4 GB (÷ 2), in-memory store, BCrypt cost 8, hey with 100 ' +
      'concurrent requests: github.com/ory/docs docs/hydra/benchmark.md'
  },
  {
    label: 'Keycloak, client_credentials',
    grantsPerCore: 120,
    note: 'sizing guide: 1 vCPU per 120 grants/s (tested to 2000/s), a new TLS connection per grant: ' +
      'keycloak.org/high-availability/concepts-memory-and-cpu-sizing'
  },
  {
    label: 'Cloudentity, client_credentials',
    grantsPerCore: 1234,
    note: '79 k/s on 8 × c5.2xlarge (64 vCPU; a 3-node Hazelcast cluster and PostgreSQL besides, not counted): ' +
      'docs.authorization.cloudentity.com/performance'
  }
] as const

/**
 * The chart of grants per busy core: this run's client_credentials (client_secret_basic) for each
 * database and algorithm beside the published figures.
 */
export function grantsPerCore (grants: { flows?: GrantFlowReport | undefined } | undefined): GrantsPerCore {
  const measured = grants?.flows === undefined
    ? []
    : grantFlowFigures(grants.flows)
      .filter((figures) => figures.flow === 'client_secret_basic')
      .map((figures) => ({
        label: `this service, ${figures.alg}, ${figures.database === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
        grantsPerCore: figures.grantsPerCore,
        source: 'measured' as const,
        note: `${figures.cpuMicrosPerGrant} µs CPU per grant (the auth process; loopback HTTP, no TLS)`
      }))
  const published = PUBLISHED_GRANTS_PER_CORE.map((row) => ({ ...row, source: 'published' as const }))
  return { title: 'client_credentials grants per second per busy core', rows: [...measured, ...published] }
}

/** Prints the flow table; returns how many runs or services failed. */
export function printGrantFlowReport (report: GrantFlowReport, print: (line: string) => void = console.log): number {
  const failed = report.runs.flatMap((run) => {
    const problem = grantFlowFailure(run)
    return problem === undefined ? [] : [`${run.database} ${run.alg} ${run.flow} round ${run.round + 1}: ${problem}`]
  })
  const rows = grantFlowFigures(report).map((figures) => {
    const rest = figures.floorMicros === undefined ? undefined : tenths(figures.cpuMicrosPerGrant - figures.floorMicros)
    const target = figures.flow !== 'client_secret_basic' || rest === undefined
      ? ''
      : `≤ ${REST_TARGET_MICROS} ${rest <= REST_TARGET_MICROS ? 'met' : 'MISSED'}`
    return [figures.database, figures.alg, LABELS[figures.flow], String(figures.grantsPerSecond),
      String(figures.cpuMicrosPerGrant), String(figures.floorMicros ?? '?'), String(rest ?? '?'),
      String(figures.grantsPerCore), target]
  })
  const { plan } = report
  print('')
  print(`auth-service grants by flow (${plan.connections} connections, the median of ${plan.runs} rounds of ` +
    `${plan.runSeconds} s or ${plan.poolGrants} single-use grants, flows interleaved in each round)`)
  print(table(['database', 'alg', 'grant', 'grants/s', 'CPU µs/grant', 'crypto µs', 'rest µs', 'per core',
    'rest target'], rows))
  const signatures = Object.entries(report.signatureMicros).map(([alg, micros]) => `${alg} ${micros}`).join(', ')
  print(`crypto µs: the signatures a grant needs with node:crypto in the bench process (${signatures} µs each; ` +
    'the code flow signs an ID token too), plus for private_key_jwt one Ed25519 verification ' +
    `(${report.assertionVerifyMicros} µs); per core: grants per CPU-second of the auth process (1e6 / CPU µs)`)
  for (const row of PUBLISHED_GRANTS_PER_CORE) {
    print(`published: ${row.label} ${row.grantsPerCore} per core (${row.note})`)
  }
  for (const line of [...failed, ...report.failures.map((failure) =>
    `${failure.database} ${failure.alg}: FAILED ${failure.error}`)]) print(line)
  return failed.length + report.failures.length
}
