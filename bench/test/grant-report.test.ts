import { describe, expect, it } from 'vitest'
import { grantFailure, grantFigures, printGrantReport, type GrantReport, type GrantRun } from '../src/grant-report.js'

const run = (requestsPerSecond: number, cpuMicrosPerGrant: number | null, extra: Partial<GrantRun> = {}): GrantRun =>
  ({ requestsPerSecond, cpuMicrosPerGrant, p99Ms: 1, p50Ms: 1, total: 1000, non2xx: 0, errors: 0, statuses: { 200: 1000 }, ...extra })

describe('the grant report', () => {
  it('takes the median run by grants/s, the median CPU per grant, and subtracts the signature from it', () => {
    const result = { store: 'database' as const, alg: 'RS256', runs: [run(900, 800), run(1100, 700), run(1000, 950)] }
    expect(grantFigures(result, 290.5)).toEqual({ grantsPerSecond: 1000, min: 900, max: 1100, cpuMicrosPerGrant: 800, restMicros: 509.5 })
  })

  it('has no rest without a CPU figure or a signature figure, and no figures for a store it could not measure', () => {
    expect(grantFigures({ store: 'database', alg: 'ES256', runs: [run(10, null)] }, 30)).toMatchObject({ cpuMicrosPerGrant: null, restMicros: null })
    expect(grantFigures({ store: 'database', alg: 'ES256', runs: [run(10, 100)] }, undefined)).toMatchObject({ cpuMicrosPerGrant: 100, restMicros: null })
    expect(grantFigures({ store: 'pkcs11', alg: 'ES256', unavailable: 'no SoftHSM2', runs: [] }, 30)).toBeUndefined()
    expect(grantFigures({ store: 'pkcs11', alg: 'ES256', error: 'a grant answered 500', runs: [] }, 30)).toBeUndefined()
  })

  it.each([
    ['an error while measuring', { error: 'a grant answered 401', runs: [] }, 'a grant answered 401'],
    ['no runs', { runs: [] }, 'no runs'],
    ['connection errors', { runs: [run(10, 1), run(10, 1, { errors: 2 })] }, '2 connection errors or timeouts'],
    ['other statuses, added up', { runs: [run(10, 1, { statuses: { 200: 5, 429: 2 } }), run(10, 1, { statuses: { 429: 1, 500: 1 } })] },
      'unexpected statuses {"429":3,"500":1}'],
    ['a run without answers', { runs: [run(10, 1), run(0, null, { total: 0, statuses: {} })] }, 'no responses']
  ])('fails a result with %s', (_case, result, problem) => {
    expect(grantFailure({ store: 'database', alg: 'RS256', ...result })).toBe(problem)
  })

  it('passes a measured result with only 200s, and a store that is n/a', () => {
    expect(grantFailure({ store: 'database', alg: 'RS256', runs: [run(10, 1)] })).toBeUndefined()
    expect(grantFailure({ store: 'pkcs11', alg: 'RS256', unavailable: 'no SoftHSM2', runs: [] })).toBeUndefined()
  })

  it('prints a row per store and algorithm, n/a with the reason, the unsealing line, and counts failures', () => {
    const report: GrantReport = {
      plan: { warmupSeconds: 0, runSeconds: 1, runs: 1, connections: 16 },
      results: [
        { store: 'database', alg: 'ES256', runs: [run(1700, 650)] },
        { store: 'database', alg: 'EdDSA', error: 'a grant answered 500', runs: [] },
        { store: 'pkcs11', alg: 'ES256', unavailable: 'no SoftHSM2', runs: [] }
      ],
      signatureMicros: { ES256: 33.8, EdDSA: 36.2 },
      unsealMicros: { ES256: 92.5, EdDSA: 85.4 }
    }
    const lines: string[] = []
    expect(printGrantReport(report, (line) => lines.push(line))).toBe(1)
    const text = lines.join('\n')
    expect(text).toMatch(/^database +ES256 +1700 +1700–1700 +650 +33\.8 +616\.2$/m)
    expect(text).toMatch(/^database +EdDSA +n\/a +n\/a +36\.2 +n\/a +FAILED: a grant answered 500$/m)
    expect(text).toMatch(/^pkcs11 +ES256 +n\/a +n\/a +33\.8 +n\/a +no SoftHSM2$/m)
    expect(text).toContain('never per token: ES256 92.5 µs, EdDSA 85.4 µs')
  })
})
