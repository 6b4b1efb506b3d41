import { describe, expect, it } from 'vitest'
import {
  grantFlowFailure, grantFlowFigures, grantsPerCore, printGrantFlowReport, type GrantFlowReport, type GrantFlowRun
} from '../src/grant-flow-report.js'

const run = (flow: GrantFlowRun['flow'], cpuMicrosPerGrant: number | null, extra: Partial<GrantFlowRun> = {}): GrantFlowRun => ({
  database: 'sqlite',
  alg: 'ES256',
  flow,
  round: 0,
  grants: 1000,
  seconds: 1,
  grantsPerSecond: 1000,
  cpuMicrosPerGrant,
  statuses: { 200: 1000 },
  errors: 0,
  ...extra
})
const report = (runs: GrantFlowRun[]): GrantFlowReport => ({
  plan: { warmupSeconds: 0, runSeconds: 1, runs: 3, connections: 16, poolGrants: 400 },
  runs,
  failures: [],
  signatureMicros: { ES256: 40 },
  assertionVerifyMicros: 100
})

describe('the grant flow report', () => {
  it('takes the median CPU per grant of the rounds, the crypto floor of each flow, and grants per core', () => {
    const figures = grantFlowFigures(report([
      run('client_secret_basic', 250), run('client_secret_basic', 200), run('client_secret_basic', 300),
      run('private_key_jwt', 400), run('authorization_code', 500)
    ]))
    expect(figures.map(({ flow, cpuMicrosPerGrant, floorMicros, grantsPerCore }) =>
      [flow, cpuMicrosPerGrant, floorMicros, grantsPerCore])).toEqual([
      ['client_secret_basic', 250, 40, 4000],
      // One signature and the assertion's verification; the code flow signs an ID token too.
      ['private_key_jwt', 400, 140, 2500],
      ['authorization_code', 500, 80, 2000]
    ])
  })

  it.each([
    ['connection errors', { errors: 2 }, '2 connection errors or timeouts'],
    ['other statuses', { statuses: { 200: 5, 400: 2 } }, 'unexpected statuses {"400":2}'],
    ['no answers', { grants: 0, statuses: {} }, 'no responses']
  ])('fails a run with %s, and counts it in the printed report', (_case, extra, problem) => {
    const failing = run('refresh_token', 100, extra)
    expect(grantFlowFailure(failing)).toBe(problem)
    const lines: string[] = []
    expect(printGrantFlowReport(report([run('client_secret_basic', 100), failing]), (line) => lines.push(line))).toBe(1)
    expect(lines.join('\n')).toContain(problem)
  })

  it('charts the client_secret_basic rows beside the published figures', () => {
    const chart = grantsPerCore({ flows: report([run('client_secret_basic', 250), run('refresh_token', 500)]) })
    expect(chart.rows.map(({ label, grantsPerCore, source }) => [label, grantsPerCore, source])).toEqual([
      ['this service, ES256, SQLite', 4000, 'measured'],
      ['Ory Hydra, client_credentials', 257, 'published'],
      ['Keycloak, client_credentials', 120, 'published'],
      ['Cloudentity, client_credentials', 1234, 'published']
    ])
    expect(grantsPerCore(undefined).rows.every((row) => row.source === 'published')).toBe(true)
  })
})
