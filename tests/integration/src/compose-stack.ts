import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DockerComposeEnvironment, Wait, getContainerRuntimeClient, type StartedDockerComposeEnvironment } from 'testcontainers'
import { freePort } from '@repo/service-harness/service-process'
import { trustingDispatcher } from '@repo/service-harness/tls'

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
  /** https: the auth service serves TLS with the stack's own CA. */
  authUrl: string
  consumerUrl: string
  /** The stack's CA certificate (PEM), copied out of the auth-service container. */
  ca: string
  /** Spread into fetch's init for the auth service: trusts the stack's CA. */
  authInit: RequestInit
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
  /** The container's environment, as `NAME=value` lines. */
  env: () => Promise<string[]>
  /** Runs a command in the container; its stdout, or an error with its output. */
  exec: (command: string[]) => Promise<string>
  /** Everything the container printed so far. */
  logs: () => Promise<string>
}

/** `docker compose up --build` of the repository's own docker-compose.yml, on free loopback ports. */
export async function upComposeStack (): Promise<ComposeStack> {
  const [authPort, consumerPort] = [await freePort(), await freePort()]
  const projectName = `jwks-it-${process.pid}`
  // Opened once the CA is known, closed by down().
  const opened: { dispatcher?: ReturnType<typeof trustingDispatcher> } = {}
  const stack: ComposeStack = {
    authUrl: `https://127.0.0.1:${authPort}`,
    consumerUrl: `http://127.0.0.1:${consumerPort}`,
    ca: '',
    authInit: {},
    projectName,
    environment: undefined,
    container: (service) => serviceContainer(projectName, service),
    async down () {
      await opened.dispatcher?.close()
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
  // The one-shot `certs` service has exited by now (both services wait for it): testcontainers lists
  // running containers only, so it is never given the health-check wait.
  stack.ca = await (await stack.container('auth-service')).exec(['cat', '/app/tls/ca.crt'])
  opened.dispatcher = trustingDispatcher(stack.ca)
  stack.authInit = { dispatcher: opened.dispatcher } as RequestInit
  return stack
}

async function serviceContainer (projectName: string, service: string): Promise<ServiceContainer> {
  const client = await getContainerRuntimeClient()
  const found = (await client.container.list()).filter((info) =>
    info.Labels['com.docker.compose.project'] === projectName && info.Labels['com.docker.compose.service'] === service)
  if (found.length !== 1 || !found[0]) throw new Error(`expected one ${service} container in ${projectName}, found ${found.length}`)
  const id = found[0].Id
  const container = client.container.getById(id)
  return {
    stop: () => client.container.stop(container, { timeout: 10 }),
    start: () => client.container.start(container),
    restart: () => client.container.restart(container, { timeout: 10 }),
    user: async () => (await client.container.inspect(container)).Config.User,
    env: async () => (await client.container.inspect(container)).Config.Env,
    async exec (command) {
      const { exitCode, stdout, output } = await client.container.exec(container, command)
      if (exitCode !== 0) throw new Error(`${command.join(' ')} in ${service} exited with ${exitCode}: ${output}`)
      return stdout
    },
    async logs () {
      const { stdout, stderr } = await promisify(execFile)('docker', ['logs', id])
      return stdout + stderr
    }
  }
}
