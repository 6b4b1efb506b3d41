import type { Options } from 'autocannon'
import { cannon, toRun } from '../measure.js'
import { cpuMicros, machineBusyMicros } from '../proc-stats.js'
import type { RunningServer } from '../servers.js'

/**
 * One load of `seconds` on `server`, with the CPU its process used over it, per answered request, and the CPU
 * the load generator (this process: autocannon and the requests' set-up) used beside it, and how many CPUs the
 * rest of the machine kept busy meanwhile (`othersCpus`). With `overallRate`
 * in `load`, autocannon offers that many requests per second, no more. A server that died shows as connection
 * errors (and no CPU figure) instead of stopping the bench.
 */
export async function measureServer (server: RunningServer, load: Omit<Options, 'url'>, seconds: number) {
  const before = await cpuMicros(server.pid).catch(() => Number.NaN)
  const machineBefore = await machineBusyMicros().catch(() => Number.NaN)
  const started = performance.now()
  const generatorBefore = process.cpuUsage()
  const run = toRun(await cannon({
    url: `${server.process.url}/api/v1/protected`,
    duration: seconds,
    ...load
  }))
  const generator = process.cpuUsage(generatorBefore)
  const used = await cpuMicros(server.pid).catch(() => Number.NaN) - before
  const machine = await machineBusyMicros().catch(() => Number.NaN) - machineBefore
  const elapsedMicros = (performance.now() - started) * 1e3
  const others = machine - used - generator.user - generator.system
  const perRequest = (micros: number) => run.total > 0 && Number.isFinite(micros)
    ? Math.round((micros / run.total) * 10) / 10
    : null
  return {
    ...run,
    cpuMicrosPerRequest: perRequest(used),
    generatorCpuMicrosPerRequest: perRequest(generator.user + generator.system),
    othersCpus: Number.isFinite(others) ? Math.max(0, Math.round((others / elapsedMicros) * 100) / 100) : null
  }
}
