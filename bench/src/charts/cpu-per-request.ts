import { SIGNING_ALGORITHMS } from '@repo/contracts/access-token'
import { cpuPerRequest, cpuUse, spread, TOKEN_USES, type PeerReport } from '../peer-report.js'
import type { CpuBars } from './chart-data.js'

/**
 * The peer table's CPU figures as bars: a group per algorithm and token use, a bar per server (its median over
 * rounds, as the table prints it); null where the server cannot verify the algorithm or measured nothing.
 */
export function cpuBars (report: PeerReport): CpuBars {
  const scenarios = SIGNING_ALGORITHMS.flatMap((alg) => TOKEN_USES.map((token) => ({ alg, token })))
  const rate = report.plan.pacedRate
  return {
    title: rate === undefined
      ? 'CPU per request by server and scenario, at full load'
      : `CPU per request by server and scenario, every server offered ${rate} req/s`,
    unit: 'CPU µs per request',
    scenarios: scenarios.map(({ alg, token }) => `${alg} ${token}`),
    series: report.servers.map((server) => ({
      name: server.label,
      values: scenarios.map(({ alg, token }) => server.unsupported[alg] === undefined
        ? spread(cpuPerRequest(report, server.id, alg, cpuUse(report, token)))?.median ?? null
        : null)
    }))
  }
}
