import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import type { Resources } from './resources.js'

/** Our auth-service as a process on a free loopback port with a fresh data dir, ready. */
export async function startAuthService (resources: Resources): Promise<{ service: ServiceProcess, issuer: string }> {
  const dir = resources.add(await tempDir('interop-auth-'), (d) => d.remove())
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const service = resources.add(
    startService('auth-service', port, { ISSUER: issuer, DATA_DIR: dir.path }),
    (s) => s.stop()
  )
  await service.waitUntilReady()
  return { service, issuer }
}

/**
 * One consumer-service process trusting each of `issuers`, every one found by discovery (no
 * `jwks_uri`) under the default audience. Not waited for: readiness is what some tests are about.
 */
export async function startConsumer (
  resources: Resources,
  issuers: readonly string[],
  env: Record<string, string> = {}
): Promise<ServiceProcess> {
  const dir = resources.add(await tempDir('interop-consumer-'), (d) => d.remove())
  return resources.add(startService('consumer-service', await freePort(), {
    TRUSTED_ISSUERS: JSON.stringify(issuers.map((issuer) => ({ issuer }))),
    DATA_DIR: dir.path,
    LOG_LEVEL: 'info',
    // An issuer that is not up yet is retried every second rather than every two.
    JWKS_COOLDOWN: '1s',
    ...env
  }), (s) => s.stop())
}

/** The last lines a service printed, for an assertion message: enough to see why it answered as it did. */
export const tail = (service: ServiceProcess, chars = 4000) =>
  `${service.name} output:\n${service.output().slice(-chars)}`
