import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DockerComposeEnvironment, Wait, getContainerRuntimeClient, type StartedDockerComposeEnvironment } from 'testcontainers'
import { freePort } from '@repo/service-harness/service-process'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** Says whether a Docker engine answers, and if not, why. */
export async function dockerEngine (): Promise<{ ok: true } | { ok: false, reason: string }> {
  try {
    const client = await getContainerRuntimeClient()
    // The engine must answer, and Compose must be there too: the suite drives `docker compose`.
    await promisify(execFile)('docker', ['compose', 'version'])
    return client.info.containerRuntime.serverVersion ? { ok: true } : { ok: false, reason: 'the engine did not report a version' }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0] ?? 'unknown' : String(error) }
  }
}

export interface ComposeStack {
  authUrl: string
  consumerUrl: string
  projectName: string
  environment: StartedDockerComposeEnvironment | undefined
  /** Docker's handle on the one container of a compose service, found by label (v1 and v2 name them differently). */
  container: (service: 'auth-service' | 'consumer-service') => Promise<ServiceContainer>
  /** Takes everything down, volumes included, whether or not `up` finished. */
  down: () => Promise<void>
}

export interface ServiceContainer {
  stop: () => Promise<void>
  start: () => Promise<void>
  restart: () => Promise<void>
  user: () => Promise<string>
}

/** `docker compose up --build` of the repository's own docker-compose.yml, on free loopback ports. */
export async function upComposeStack (): Promise<ComposeStack> {
  const [authPort, consumerPort] = [await freePort(), await freePort()]
  const projectName = `jwks-it-${process.pid}`
  const stack: ComposeStack = {
    authUrl: `http://127.0.0.1:${authPort}`,
    consumerUrl: `http://127.0.0.1:${consumerPort}`,
    projectName,
    environment: undefined,
    container: (service) => serviceContainer(projectName, service),
    async down () {
      if (stack.environment) {
        await stack.environment.down({ removeVolumes: true, timeout: 10_000 })
      } else {
        await promisify(execFile)('docker', ['compose', '-p', projectName, 'down', '-v'], { cwd: REPO_ROOT })
      }
    }
  }
  console.log(`integration: building and starting docker-compose.yml as project ${projectName} (a few minutes on a cold cache)`)
  stack.environment = await new DockerComposeEnvironment(REPO_ROOT, 'docker-compose.yml')
    .withProjectName(projectName)
    .withBuild()
    .withEnvironment({ AUTH_PORT: String(authPort), CONSUMER_PORT: String(consumerPort) })
    .withDefaultWaitStrategy(Wait.forHealthCheck().withStartupTimeout(120_000))
    .up()
  return stack
}

async function serviceContainer (projectName: string, service: string): Promise<ServiceContainer> {
  const client = await getContainerRuntimeClient()
  const found = (await client.container.list()).filter((info) =>
    info.Labels['com.docker.compose.project'] === projectName && info.Labels['com.docker.compose.service'] === service)
  if (found.length !== 1 || !found[0]) throw new Error(`expected one ${service} container in ${projectName}, found ${found.length}`)
  const container = client.container.getById(found[0].Id)
  return {
    stop: () => client.container.stop(container, { timeout: 10 }),
    start: () => client.container.start(container),
    restart: () => client.container.restart(container, { timeout: 10 }),
    user: async () => (await client.container.inspect(container)).Config.User
  }
}
