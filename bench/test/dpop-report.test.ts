import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { describe, expect, it } from 'vitest'
import { dpopAlgs, dpopChecks, dpopExtraMicros, dpopLimitMicros, dpopRows } from '../src/dpop-report.js'
import type { PeerReport, PeerRun, TokenUse } from '../src/peer-report.js'

function run (round: number, alg: SigningAlgorithm, token: TokenUse, cpu: number | null, rps = 3000): PeerRun {
  const total = rps * 3
  return {
    round,
    server: 'consumer',
    alg,
    token,
    requestsPerSecond: rps,
    cpuMicrosPerRequest: cpu,
    p50Ms: 1,
    p99Ms: 5,
    total,
    non2xx: 0,
    errors: 0,
    statuses: { 200: total }
  }
}

/** Three rounds; the consumer's fresh CPU per request, bearer and DPoP, by algorithm and round. */
function fixture (cpu: Partial<Record<SigningAlgorithm, Array<[number, number | null]>>>, proofVerify = [60, 62, 58]) {
  const runs = Object.entries(cpu).flatMap(([alg, rounds]) => rounds.flatMap(([bearer, dpop], i) => [
    run(i + 1, alg as SigningAlgorithm, 'fresh', bearer),
    run(i + 1, alg as SigningAlgorithm, 'fresh-dpop', dpop, 2000)
  ]))
  return {
    plan: { warmupSeconds: 2, runSeconds: 3, rounds: 3, connections: 50, poolSize: 5000 },
    servers: [],
    runs,
    verifyMicros: {},
    proofVerifyMicros: proofVerify,
    dpopClients: 100,
    preflight: [],
    jwksFetches: {}
  } satisfies PeerReport
}

describe('DPoP over bearer', () => {
  it('pairs each DPoP run with the bearer run of its round', () => {
    const report = fixture({ RS256: [[180, 250], [200, 260], [150, 240]] })
    expect(dpopExtraMicros(report, 'RS256')).toEqual([70, 60, 90])
    expect(dpopExtraMicros(report, 'ES256')).toEqual([])
    expect(dpopAlgs(report)).toEqual(['RS256'])
  })

  it('skips a round whose DPoP run has no CPU figure', () => {
    expect(dpopExtraMicros(fixture({ ES256: [[240, null], [250, 330]] }), 'ES256')).toEqual([80])
  })

  it('allows one proof verification (median of the rounds) plus 25 µs', () => {
    expect(dpopLimitMicros(fixture({}))).toBe(85)
    expect(dpopLimitMicros(fixture({}, []))).toBeUndefined()
  })

  it.each([
    // Median extra 85 µs: exactly at the limit (60 + 25) is met.
    [[[100, 185], [100, 180], [100, 190]], true, '85 µs vs ≤ 85 µs'],
    [[[100, 186], [100, 187], [100, 190]], false, '87 µs vs ≤ 85 µs']
  ] as Array<[Array<[number, number]>, boolean, string]>)('judges the median extra cost of %j: met %s', (
    rounds, met, measured
  ) => {
    const report = fixture({ ES256: rounds })
    expect(dpopChecks(report)).toEqual([expect.objectContaining({ met, measured })])
    expect(dpopRows(report)[0]?.at(-1)).toBe(`≤ 85 ${met ? 'met' : 'MISSED'}`)
  })

  it('shows both rates and CPU figures with their spread', () => {
    const [row] = dpopRows(fixture({ RS256: [[180, 250], [200, 260], [150, 240]] }))
    expect(row).toEqual(['RS256', '3000', '2000', '180 (150–200)', '250 (240–260)', '70 (60–90)', '≤ 85 met'])
  })

  it('is not met without a proof verification figure', () => {
    const [check] = dpopChecks(fixture({ RS256: [[100, 110]] }, []))
    expect(check?.met).toBe(false)
  })
})
