import { join } from 'node:path'
import { freePort, startProcess } from '@repo/service-harness/service-process'
import { measure } from '../measure.js'
import { HERE, QUIET, plan, progress, record, report } from '../run.js'

/** Scenario 1: the ceiling, a bare Fastify route answering the protected route's JSON. */
export async function bare (): Promise<void> {
  progress('1. bare Fastify route')
  const port = await freePort()
  const server = startProcess('bare-fastify', join(HERE, 'bare-server.js'), port, QUIET)
  try {
    await server.waitUntilReady()
    record('bare route', await measure(plan, { url: `${server.url}/api/v1/protected` }), { role: 'baseline' })
    report.processes.push({ name: 'bare-fastify', peakRssMiB: await server.peakRssMiB() })
  } finally {
    await server.stop()
  }
}
