import { describe, expect, it } from 'vitest'
import { combine, printReplicaReport, type ReplicaRun } from '../src/replica-report.js'

const run = (requestsPerSecond: number, extra: Partial<{ total: number, non2xx: number, errors: number }> = {}) =>
  ({ requestsPerSecond, p99Ms: 1, p50Ms: 1, total: 100, non2xx: 0, errors: 0, statuses: {}, ...extra })

describe('the replica report', () => {
  it('adds up the replicas of a setup', () => {
    expect(combine('2 replicas, PostgreSQL', 'login', [run(40, { non2xx: 1 }), run(35, { errors: 2 })]))
      .toEqual({ setup: '2 replicas, PostgreSQL', endpoint: 'login', requestsPerSecond: 75, total: 200, non2xx: 1, errors: 2 })
  })

  it('prints the median of each setup and the ratio, and counts failed runs', () => {
    const runs: ReplicaRun[] = [
      combine('1 replica, SQLite', 'login', [run(50)]), combine('1 replica, SQLite', 'jwks', [run(1000)]),
      combine('2 replicas, PostgreSQL', 'login', [run(30), run(25)]), combine('2 replicas, PostgreSQL', 'jwks', [run(450), run(450)]),
      combine('1 replica, SQLite', 'login', [run(70)]), combine('1 replica, SQLite', 'jwks', [run(1200)]),
      combine('2 replicas, PostgreSQL', 'login', [run(40, { non2xx: 3 }), run(40)]), combine('2 replicas, PostgreSQL', 'jwks', [run(600), run(500)])
    ]
    const lines: string[] = []
    expect(printReplicaReport({ rounds: 2, runs }, (line) => lines.push(line))).toBe(1)
    expect(lines.join('\n')).toContain('1 replica, SQLite                     70          1200')
    expect(lines.join('\n')).toContain('2 replicas, PostgreSQL                80          1100')
    expect(lines.join('\n')).toContain('login 1.14×, JWKS 0.92×')
    expect(lines.at(-1)).toBe('FAILED 2 replicas, PostgreSQL login: 0 errors, 3 non-2xx, 200 responses')
  })
})
