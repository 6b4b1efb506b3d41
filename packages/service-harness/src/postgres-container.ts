import { GenericContainer, Wait } from 'testcontainers'

/** What a laptop can pull; CI machines name their local image in `POSTGRES_IMAGE`. */
export const DEFAULT_POSTGRES_IMAGE = 'postgres:17'
const START_TIMEOUT_MS = 120_000

export function postgresImage (): string {
  return process.env.POSTGRES_IMAGE || DEFAULT_POSTGRES_IMAGE
}

/** A PostgreSQL container: its superuser URL on a loopback port, and how to remove it. */
export interface PostgresContainer {
  adminUrl: string
  stop: () => Promise<void>
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
    .withExposedPorts(5432)
    // The image's entrypoint runs a temporary server to initialise, then the real one: the second "ready".
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(START_TIMEOUT_MS)
    .start()
  const host = container.getHost()
  const address = `${host.includes(':') ? `[${host}]` : host}:${container.getMappedPort(5432)}`
  return {
    adminUrl: `postgres://postgres@${address}/postgres`,
    // Removes the container and its anonymous data volume: nothing is left behind (no Ryuk here to do it).
    stop: async () => { await container.stop({ remove: true, removeVolumes: true }) }
  }
}
