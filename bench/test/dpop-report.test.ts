import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { describe, expect, it } from 'vitest'
import {
  dpopAlgs, dpopChecks, dpopCostRows, dpopExtraMicros, dpopLimitMicros, dpopOverVerification, dpopRows
} from '../src/dpop-report.js'
import type { PeerReport, PeerRun, ServerId, TokenUse } from '../src/peer-report.js'

function run (
  round: number, alg: SigningAlgorithm, token: TokenUse, cpu: number | null, rps = 3000, server: ServerId = 'consumer'
): PeerRun {
  const total = rps * 3
  return {
    round,
    server,
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
    expect(dpopLimitMicros(fixture({}), 'RS256')).toBe(85)
    expect(dpopLimitMicros(fixture({}, []), 'RS256')).toBeUndefined()
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
    expect(row).toEqual(['RS256', '3000', '2000', '–', '180 (150–200)', '250 (240–260)', '70 (60–90)', '60', '≤ 85 met'])
  })

  it('is not met without a proof verification figure', () => {
    const [check] = dpopChecks(fixture({ RS256: [[100, 110]] }, []))
    expect(check?.met).toBe(false)
  })
})

describe('DPoP over bearer at one offered rate, beside the reference', () => {
  /** Round 1 of RS256: full-load runs, then the paced pairs of the consumer and the reference at 1200 req/s. */
  function paced (consumer: [number, number], reference?: [number, number]) {
    const report = fixture({ RS256: [[150, 400]] })
    const pair = (server: ServerId, [bearer, dpop]: [number, number]) => [
      { ...run(1, 'RS256', 'fresh-paced', bearer, 1200, server), offeredRate: 1200 },
      { ...run(1, 'RS256', 'fresh-dpop-paced', dpop, 1200, server), offeredRate: 1200 }
    ]
    report.runs.push(...pair('consumer', consumer), ...(reference ? pair('node-crypto', reference) : []))
    return report
  }

  it('compares the paced pair, not the full-load runs', () => {
    expect(dpopExtraMicros(paced([200, 290]), 'RS256')).toEqual([90])
  })

  it('takes one proof verification from the reference\'s paced pair when there is one', () => {
    expect(dpopLimitMicros(paced([200, 290], [120, 190]), 'RS256')).toBe(95)
    // Without a reference: the bench process's own measurement.
    expect(dpopLimitMicros(paced([200, 290]), 'RS256')).toBe(85)
  })

  it('shows the offered rate and the paced CPU figures', () => {
    const [row] = dpopRows(paced([200, 290], [120, 190]))
    expect(row).toEqual(['RS256', '3000', '2000', '1200', '200', '290', '90', '70', '≤ 95 met'])
  })
})

describe('DPoP\'s cost in process', () => {
  const withCost = (blocks: Array<[number, number, number]>) => ({
    ...fixture({ ES256: [[150, 300]] }),
    dpopCost: { ES256: blocks.map(([bearer, reference, dpop]) => ({ bearer, reference, dpop })) },
    dpopCostPlan: { blockSize: 100, triples: blocks.length, warmupTriples: 0 }
  })

  it('is DPoP − reference, triple by triple', () => {
    expect(dpopOverVerification(withCost([[100, 160, 180], [110, 175, 190]]), 'ES256')).toEqual([20, 15])
  })

  it.each([
    [[[100, 160, 185], [100, 160, 180], [100, 160, 190]], true, '25.0 µs'],
    [[[100, 160, 186], [100, 160, 187], [100, 160, 190]], false, '27.0 µs']
  ] as Array<[Array<[number, number, number]>, boolean, string]>)('judges the target on the triples when there are any: %j', (
    blocks, met, measured
  ) => {
    const report = withCost(blocks)
    expect(dpopChecks(report)).toEqual([expect.objectContaining({ met, measured })])
    expect(dpopCostRows(report)[0]?.at(-1)).toBe(`≤ 25 ${met ? 'met' : 'MISSED'}`)
  })

  it('shows medians and quartiles of each figure', () => {
    const [row] = dpopCostRows(withCost([[100, 160, 180], [110, 175, 190], [90, 150, 200], [100, 170, 185]]))
    expect(row).toEqual([
      'ES256', '100.0 (100.0–110.0)', '190.0 (185.0–200.0)', '85.0 (80.0–110.0)', '65.0 (60.0–70.0)',
      '20.0 (15.0–50.0)', '≤ 25 met'
    ])
  })
})
