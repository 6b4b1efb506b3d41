import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers'
import { waitForServer } from './postgres-server.js'
import { freePort } from './free-port.js'

/** What a laptop can pull; CI machines name their local image in `POSTGRES_IMAGE`. */
export const DEFAULT_POSTGRES_IMAGE = 'postgres:17'
const START_TIMEOUT_MS = 120_000

export function postgresImage (): string {
  return process.env.POSTGRES_IMAGE || DEFAULT_POSTGRES_IMAGE
}

/** A PostgreSQL container: its superuser URL on a loopback port, how to stop it for a while, and how to remove it. */
export interface PostgresContainer {
  adminUrl: string
  stop: () => Promise<void>
  /** Stops the server (the image's stop signal is a fast shutdown); `resume` starts it again, same port and data. */
  pause: () => Promise<void>
  resume: () => Promise<void>
}

/**
 * Starts `POSTGRES_IMAGE` (default `postgres:17`) with trust authentication and durability off, its
 * port published on the host. Throws when no Docker engine answers, or the image cannot be had.
 */
export async function startPostgresContainer (image = postgresImage()): Promise<PostgresContainer> {
  const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300']
  const container = await new GenericContainer(image)
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withCommand(['postgres', ...settings.flatMap((setting) => ['-c', setting])])
    // A fixed host port, so that the server is at the same URL after `pause` and `resume`.
    .withExposedPorts({ container: 5432, host: await freePort() })
    // The image's entrypoint runs a temporary server to initialise, then the real one: the second "ready".
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(START_TIMEOUT_MS)
    .start()
  const host = container.getHost()
  const address = `${host.includes(':') ? `[${host}]` : host}:${container.getMappedPort(5432)}`
  const adminUrl = `postgres://postgres@${address}/postgres`
  // testcontainers' own stop() removes (and remembers it stopped): the runtime client stops and starts.
  const runtime = await getContainerRuntimeClient()
  const handle = runtime.container.getById(container.getId())
  return {
    adminUrl,
    // Removes the container and its anonymous data volume: nothing is left behind (no Ryuk here to do it).
    stop: async () => { await container.stop({ remove: true, removeVolumes: true }) },
    pause: async () => { await runtime.container.stop(handle, { timeout: 10 }) },
    resume: async () => {
      await runtime.container.start(handle)
      await waitForServer(adminUrl)
    }
  }
}
