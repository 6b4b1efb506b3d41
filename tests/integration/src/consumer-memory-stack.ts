import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DockerComposeEnvironment, Wait, getContainerRuntimeClient } from 'testcontainers'
import { freePort } from '@repo/service-harness/free-port'

const COMPOSE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'compose')

/** What Docker says of a container's memory: its limits, whether the OOM killer struck, how it ended. */
export interface MemoryState {
  limitBytes: number
  /** Memory plus swap; equal to `limitBytes` when there is no swap to spill into. */
  swapLimitBytes: number
  oomKilled: boolean
  running: boolean
  exitCode: number
  restarts: number
}

export interface ConsumerMemoryStack {
  consumerUrl: string
  memoryState: () => Promise<MemoryState>
  /** Runs a command in the consumer's container; its stdout. */
  exec: (command: string[]) => Promise<string>
  down: () => Promise<void>
}

/**
 * compose/consumer-memory.yml: the consumer's image under `memory` (`128m`), trusting the stand-in
 * issuer that serves `jwks`, its port published on loopback. The caller takes it down.
 */
export async function upConsumerMemoryStack (jwks: unknown, memory: string): Promise<ConsumerMemoryStack> {
  const projectName = `jwks-mem-${process.pid}`
  const consumerPort = await freePort()
  const variables = { JWKS: JSON.stringify(jwks), CONSUMER_PORT: String(consumerPort), CONSUMER_MEMORY: memory }
  const environment = await new DockerComposeEnvironment(COMPOSE_DIR, 'consumer-memory.yml')
    .withProjectName(projectName)
    .withBuild()
    .withEnvironment(variables)
    .withDefaultWaitStrategy(Wait.forHealthCheck().withStartupTimeout(120_000))
    .up()
    .catch(async (error: unknown) => {
      // Whatever `up` left behind (no Ryuk here to remove it).
      await promisify(execFile)('docker', ['compose', '-p', projectName, '-f', 'consumer-memory.yml', 'down', '-v'], {
        cwd: COMPOSE_DIR, env: { ...process.env, ...variables }
      }).catch(() => {})
      throw error
    })
  const down = () => environment.down({ removeVolumes: true, timeout: 10_000 }).then(() => {})
  const client = await getContainerRuntimeClient()
  // By label: compose v1 and v2 name containers differently.
  const info = (await client.container.list()).find(({ Labels: labels }) =>
    labels['com.docker.compose.project'] === projectName && labels['com.docker.compose.service'] === 'consumer-service')
  if (info === undefined) {
    await down()
    throw new Error(`no consumer-service container in ${projectName}`)
  }
  const container = client.container.getById(info.Id)
  return {
    consumerUrl: `http://127.0.0.1:${consumerPort}`,
    async memoryState () {
      const { HostConfig: host, State: state, RestartCount: restarts } = await client.container.inspect(container)
      return {
        limitBytes: host.Memory ?? 0,
        swapLimitBytes: host.MemorySwap ?? 0,
        oomKilled: state.OOMKilled,
        running: state.Running,
        exitCode: state.ExitCode,
        restarts
      }
    },
    async exec (command) {
      const { exitCode, stdout, output } = await client.container.exec(container, command)
      if (exitCode !== 0) throw new Error(`${command.join(' ')} exited with ${exitCode}: ${output}`)
      return stdout
    },
    down
  }
}
