import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { describe, expect, it } from 'vitest'
import {
  ceilingMicros, cpuPerRequest, formatSpread, peerFailures, peerRows, peerTargets, preflightRows, ratiosToBare, shortPacedRuns,
  spread,
  type PeerReport, type PeerRun, type ServerId, type TokenUse
} from '../src/peer-report.js'

/** req/s and CPU µs per request of every server, the same in every scenario unless `by` says otherwise. */
type Figures = Record<ServerId, { rps: number, cpu: number }>
const FIGURES: Figures = {
  bare: { rps: 10_000, cpu: 40 },
  consumer: { rps: 8_000, cpu: 60 },
  jose: { rps: 4_000, cpu: 150 },
  express: { rps: 2_000, cpu: 250 },
  'fastify-jwt': { rps: 1_500, cpu: 300 },
  'node-crypto': { rps: 9_000, cpu: 56 }
}

function run (round: number, server: ServerId, alg: SigningAlgorithm, token: TokenUse, rps: number, cpu: number): PeerRun {
  const total = rps * 3
  return { round, server, alg, token, requestsPerSecond: rps, cpuMicrosPerRequest: cpu, p50Ms: 1, p99Ms: 5, total, non2xx: 0, errors: 0, statuses: { 200: total } }
}

function fixture (by: (server: ServerId, alg: SigningAlgorithm, token: TokenUse, round: number) => Partial<{ rps: number, cpu: number }> = () => ({}), rounds = 3): PeerReport {
  const ids = Object.keys(FIGURES) as ServerId[]
  const runs = ids.flatMap((server) => SIGNING_ALGORITHMS.flatMap((alg) => (['reused', 'fresh'] as const).flatMap((token) =>
    server === 'express' && alg === 'EdDSA'
      ? []
      : Array.from({ length: rounds }, (_, i) => {
        const { rps, cpu } = { ...FIGURES[server], ...by(server, alg, token, i + 1) }
        return run(i + 1, server, alg, token, rps, cpu)
      }))))
  return {
    plan: { warmupSeconds: 2, runSeconds: 3, rounds, connections: 50, poolSize: 5000 },
    servers: ids.map((id) => ({
      id, label: id, peakRssMiB: id === 'bare' ? 100 : 125, exited: false, unsupported: id === 'express' ? { EdDSA: 'no EdDSA' } : {}
    })),
    runs,
    verifyMicros: { RS256: [30, 35, 31], ES256: [90, 95, 91], EdDSA: [100, 101, 99] },
    proofVerifyMicros: [],
    preflight: [],
    jwksFetches: {}
  }
}

describe('spread and formatSpread', () => {
  it('gives the median, least and greatest', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 })
    expect(spread([])).toBeUndefined()
  })

  it.each([
    [{ median: 0.5912, min: 0.571, max: 0.6149 }, 2, '0.59 (0.57–0.61)'],
    [{ median: 262.4, min: 262.1, max: 262.3 }, 0, '262'],
    [undefined, 2, '?']
  ])('formats %j with %i digits as %s', (value, digits, text) => {
    expect(formatSpread(value, digits)).toBe(text)
  })
})

describe('ratiosToBare', () => {
  it('divides by the bare route of the same round, so a slow round slows both', () => {
    const report = fixture((server, _alg, _token, round) => (round === 2 ? { rps: FIGURES[server].rps / 2 } : {}))
    expect(ratiosToBare(report, 'consumer', 'RS256', 'fresh')).toEqual([0.8, 0.8, 0.8])
  })

  it('leaves out a round whose bare run is missing', () => {
    const report = fixture()
    report.runs = report.runs.filter((candidate) => !(candidate.server === 'bare' && candidate.round === 1))
    expect(ratiosToBare(report, 'jose', 'ES256', 'reused')).toEqual([0.4, 0.4])
  })
})

describe('cpuPerRequest', () => {
  it('leaves out a run without a CPU figure (the process was gone): never a 0 µs that would win a comparison', () => {
    const report = fixture()
    const jose = report.runs.filter((candidate) => candidate.server === 'jose' && candidate.alg === 'RS256' && candidate.token === 'fresh')
    jose[0]!.cpuMicrosPerRequest = null
    expect(cpuPerRequest(report, 'jose', 'RS256', 'fresh')).toEqual([150, 150])
    for (const candidate of jose) candidate.cpuMicrosPerRequest = null
    expect(peerTargets(report)[1]).toMatchObject({ measured: '60 µs vs ? µs', met: false })
  })
})

describe('CPU per request at the paced rate', () => {
  /** The fixture's runs at full load, and the same at 1000 req/s with `cpu` µs per request for every server. */
  function paced (cpu: (server: ServerId) => number): PeerReport {
    const report = fixture()
    report.plan = { ...report.plan, pacedRate: 1000, pacedSeconds: 1.5 }
    report.runs = [...report.runs, ...report.runs.map((full) => ({
      ...full,
      token: `${full.token}-paced` as TokenUse,
      offeredRate: 1000,
      requestsPerSecond: 1000,
      cpuMicrosPerRequest: cpu(full.server)
    }))]
    return report
  }

  it('reads the CPU columns and the ceiling from the paced runs, the × bare columns from the full-load ones', () => {
    const report = paced((server) => FIGURES[server].cpu * 2)
    const rows = peerRows(report)
    expect(rows[1]).toEqual(['consumer', 'RS256', '0.80', '0.80', '120', '120', '125'])
    expect(rows[6]).toEqual(['ceiling: bare + one verify', 'RS256', '–', (80 / 111).toFixed(2), '–', '111', '–'])
    expect(peerTargets(report)[1]).toMatchObject({ measured: '120 µs vs 300 µs', met: true })
  })

  it('counts the paced runs that fell short of the offered rate', () => {
    const report = paced(() => 50)
    expect(shortPacedRuns(report)).toBe(0)
    const [first] = report.runs.filter((run) => run.offeredRate !== undefined)
    first!.requestsPerSecond = 940
    expect(shortPacedRuns(report)).toBe(1)
  })
})

describe('ceilingMicros', () => {
  it('is the bare route\'s CPU with a fresh token plus the median verification', () => {
    expect(ceilingMicros(fixture(), 'RS256')).toBe(40 + 31)
  })
})

describe('peerRows', () => {
  it('shows every server per algorithm, n/a where a peer has no such algorithm, then the ceiling', () => {
    const rows = peerRows(fixture())
    expect(rows).toHaveLength(3 * 7)
    expect(rows[1]).toEqual(['consumer', 'RS256', '0.80', '0.80', '60', '60', '125'])
    expect(rows.find((row) => row[0] === 'express' && row[1] === 'EdDSA')).toEqual(['express', 'EdDSA', 'n/a', 'n/a', 'n/a', 'n/a', '125'])
    expect(rows[6]).toEqual(['ceiling: bare + one verify', 'RS256', '–', (40 / 71).toFixed(2), '–', '71', '–'])
  })
})

describe('peerTargets', () => {
  it('meets every target when the consumer is near the ceiling, near bare and ahead of every peer', () => {
    expect(peerTargets(fixture()).map(({ met }) => met)).toEqual([true, true, true, true, true, true])
  })

  it('misses the ceiling, jose, the reference and the peers when a fresh RS256 token costs more than theirs', () => {
    const report = fixture((server, alg, token) => (server === 'consumer' && alg === 'RS256' && token === 'fresh' ? { cpu: 200 } : {}))
    const checks = peerTargets(report)
    expect(checks.map(({ met }) => met)).toEqual([false, false, false, true, false, true])
    expect(checks[2]).toMatchObject({ measured: '200 µs vs ≤ 62 µs' })
    expect(checks[4]).toMatchObject({ measured: 'behind in 1 of 16', detail: 'behind: RS256 fresh (jose)' })
  })

  it('misses the reused target when any algorithm is under 0.75 × bare, and memory over 1.3 × bare', () => {
    const report = fixture((server, alg, token) => (server === 'consumer' && alg === 'EdDSA' && token === 'reused' ? { rps: 7_000 } : {}))
    report.servers[1]!.peakRssMiB = 131
    const checks = peerTargets(report)
    expect(checks[3]).toMatchObject({ measured: 'RS256 0.80, ES256 0.80, EdDSA 0.70', met: false })
    expect(checks[5]).toMatchObject({ measured: '131 MiB vs ≤ 130 MiB', met: false })
  })
})

describe('peerFailures', () => {
  it('has none for a clean run', () => {
    expect(peerFailures(fixture())).toEqual([])
  })

  it('fails a run with errors or non-2xx answers, a dead server, a wrong preflight answer and a fetch from an untrusted issuer', () => {
    const report = fixture()
    report.runs[0] = { ...report.runs[0]!, statuses: { 200: 10, 500: 2 }, non2xx: 2 }
    report.runs[1] = { ...report.runs[1]!, errors: 3 }
    report.servers[2]!.exited = true
    report.preflight = [
      { server: 'jose', check: 'valid RS256', expected: 200, status: 401 },
      { server: 'express', check: 'alg none', expected: 401, status: 200 },
      { server: 'consumer', check: 'valid ES256', expected: 200, status: 200, bodyDiffers: true },
      // Refused, if not with the status the consumer uses: not a failure.
      { server: 'fastify-jwt', check: 'unknown kid', expected: 401, status: 500 }
    ]
    report.jwksFetches = { 'fastify-jwt': { unknownKids: 3, untrustedIssuer: 1 } }
    const failures = peerFailures(report)
    expect(failures).toHaveLength(7)
    expect(failures.join('\n')).toMatch(/unexpected statuses \{"500":2\}/)
    expect(failures.join('\n')).toMatch(/3 connection errors/)
    expect(failures.join('\n')).toMatch(/jose: the process died/)
    expect(failures.join('\n')).toMatch(/jose refused a valid token \(valid RS256\): 401/)
    expect(failures.join('\n')).toMatch(/express ACCEPTED a token it must refuse \(alg none\)/)
    expect(failures.join('\n')).toMatch(/consumer answered valid ES256 with another body/)
    expect(failures.join('\n')).toMatch(/fastify-jwt fetched the JWKS of an issuer it does not trust/)
  })
})

describe('preflightRows', () => {
  it('lays out one row per check and one column per server, then the JWKS fetches', () => {
    const report = fixture()
    report.preflight = [
      { server: 'consumer', check: 'alg none', expected: 401, status: 401 },
      { server: 'fastify-jwt', check: 'alg none', expected: 401, status: 500 }
    ]
    report.jwksFetches = { consumer: { unknownKids: 0, untrustedIssuer: 0 }, 'fastify-jwt': { unknownKids: 3, untrustedIssuer: 0 } }
    expect(preflightRows(report)).toEqual({
      header: ['preflight', 'expect', 'consumer', 'fastify-jwt'],
      rows: [
        ['alg none', '401', '401', '500'],
        ['JWKS fetches, 3 unknown kids', '', '0', '3'],
        ['JWKS fetches from the untrusted issuer', '0', '0', '0']
      ]
    })
  })
})
