import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'

export interface Pair {
  auth: ServiceProcess
  consumer: ServiceProcess
  issuer: string
  authEnv: Record<string, string>
  /** Starts the auth service again on the same port and DATA_DIR (after a stop or a kill). */
  restartAuth: () => Promise<ServiceProcess>
  stop: () => Promise<void>
}

/**
 * Both services as processes on free loopback ports with fresh data dirs. The consumer finds the
 * JWKS through discovery unless `consumerEnv` sets JWKS_URL.
 */
export async function startPair (
  authEnv: Record<string, string> = {},
  consumerEnv: Record<string, string> = {}
): Promise<Pair> {
  const authDir = await tempDir('pair-auth-')
  const consumerDir = await tempDir('pair-consumer-')
  const authPort = await freePort()
  const issuer = `http://127.0.0.1:${authPort}`
  const env = { ISSUER: issuer, DATA_DIR: authDir.path, ...authEnv }
  const started: ServiceProcess[] = []
  const launch = (service: ServiceProcess) => { started.push(service); return service }

  const pair: Pair = {
    issuer,
    authEnv: env,
    auth: launch(startService('auth-service', authPort, env)),
    consumer: undefined as unknown as ServiceProcess,
    async restartAuth () {
      pair.auth = launch(startService('auth-service', authPort, env))
      await pair.auth.waitUntilReady()
      return pair.auth
    },
    async stop () {
      await Promise.all(started.map((service) => service.stop()))
      await authDir.remove()
      await consumerDir.remove()
    }
  }
  try {
    await pair.auth.waitUntilReady()
    pair.consumer = launch(startService('consumer-service', await freePort(), {
      ISSUER: issuer, DATA_DIR: consumerDir.path, ...consumerEnv
    }))
    await pair.consumer.waitUntilReady()
  } catch (error) {
    await pair.stop()
    throw error
  }
  return pair
}
