import type { Options } from 'autocannon'
import { cannon, toRun } from '../measure.js'
import { cpuMicros } from '../proc-stats.js'
import type { RunningServer } from '../servers.js'

/**
 * One load of `seconds` on `server`, with the CPU its process used over it, per answered request. A
 * server that died shows as connection errors (and no CPU figure) instead of stopping the bench.
 */
export async function measureServer (server: RunningServer, load: Omit<Options, 'url'>, seconds: number) {
  const before = await cpuMicros(server.pid).catch(() => Number.NaN)
  const run = toRun(await cannon({
    url: `${server.process.url}/api/v1/protected`,
    duration: seconds,
    ...load
  }))
  const used = await cpuMicros(server.pid).catch(() => Number.NaN) - before
  const cpuMicrosPerRequest = run.total > 0 && Number.isFinite(used) ? Math.round((used / run.total) * 10) / 10 : null
  return { ...run, cpuMicrosPerRequest }
}
