import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'

export interface Services {
  auth: ServiceProcess
  consumer: ServiceProcess
  /** The auth service's environment: its CLIs run with it to reach the same database. */
  authEnv: Record<string, string>
  stop: () => Promise<void>
}

/**
 * The two built services on loopback, the consumer trusting the auth service; both ready.
 * `consumerSettings` adds to the consumer's environment (`CORS_ORIGINS` for a browser app).
 */
export async function startServices (
  authSettings: Record<string, string> = {}, consumerSettings: Record<string, string> = {}
): Promise<Services> {
  const authDir = await tempDir('browser-auth-')
  const consumerDir = await tempDir('browser-consumer-')
  const started: ServiceProcess[] = []
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop()))
    await authDir.remove()
    await consumerDir.remove()
  }
  try {
    const authPort = await freePort()
    const issuer = `http://127.0.0.1:${authPort}`
    const authEnv = { ISSUER: issuer, DATA_DIR: authDir.path, ...authSettings }
    const auth = startService('auth-service', authPort, authEnv)
    started.push(auth)
    await auth.waitUntilReady()
    const consumer = startService('consumer-service', await freePort(), {
      ISSUER: issuer, DATA_DIR: consumerDir.path, ...consumerSettings
    })
    started.push(consumer)
    await consumer.waitUntilReady()
    return { auth, consumer, authEnv, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
