import type { Report } from '../report.js'
import type { CpuBars, GrantsPerCore, LatencyBySize } from './chart-data.js'
import { cpuBars } from './cpu-per-request.js'
import { grantsPerCore } from '../grant-flow-report.js'
import { latencyBySize } from '../scale-report.js'

/**
 * Where each chart's data comes from in a run's report; undefined when the run did not measure it, and the
 * chart is then left as it is. The grants and scale parts own their figures and export `grantsPerCore` and
 * `latencyBySize`: `grantsChart` and `scaleChart` are the two places that call them.
 */
export function cpuChart (report: Report): CpuBars | undefined {
  const { peers } = report
  return peers.runs.length === 0 || peers.dpopOnly ? undefined : cpuBars(peers)
}

export function grantsChart (report: Report): GrantsPerCore | undefined {
  return report.grants?.flows === undefined ? undefined : grantsPerCore(report.grants)
}

export function scaleChart (report: Report): LatencyBySize | undefined {
  return report.scale === undefined ? undefined : latencyBySize(report.scale)
}
