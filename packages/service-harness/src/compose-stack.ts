import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import {
  DockerComposeEnvironment,
  Wait,
  getContainerRuntimeClient,
  type StartedDockerComposeEnvironment
} from 'testcontainers'
import { freePort } from './free-port.js'
import { trustingDispatcher } from './tls.js'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** Says whether a Docker engine answers, and if not, why. */
export async function dockerEngine (): Promise<{ ok: true } | { ok: false, reason: string }> {
  try {
    const client = await getContainerRuntimeClient()
    // The engine must answer, and Compose must be there too: the suite drives `docker compose`.
    await promisify(execFile)('docker', ['compose', 'version'])
    return client.info.containerRuntime.serverVersion
      ? { ok: true }
      : { ok: false, reason: 'the engine did not report a version' }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0] ?? 'unknown' : String(error) }
  }
}

/**
 * The gate of a suite that needs Docker: whether an engine answers. When none does, `REQUIRE_DOCKER=1`
 * (as in CI) makes it an error; otherwise it warns that `what` is skipped.
 */
export async function requireDockerEngine (what: string): Promise<boolean> {
  const engine = await dockerEngine()
  if (engine.ok) return true
  if (process.env.REQUIRE_DOCKER === '1') {
    throw new Error(`REQUIRE_DOCKER=1 but no Docker engine is reachable: ${engine.reason}`)
  }
  console.warn(
    `${what} skipped: no Docker engine is reachable (${engine.reason}); set REQUIRE_DOCKER=1 to fail instead`
  )
  return false
}

export interface ComposeStack {
  /**
   * The auth service on its published port of loopback: https with docker-compose.tls.yml (the stack's
   * own CA), plain http otherwise. The first replica's, when there are several.
   */
  authUrl: string
  /** Every auth-service replica, one host port each. */
  authUrls: string[]
  consumerUrl: string
  /** The browser app (`web`), at the origin its redirect URIs were registered with. */
  webUrl: string
  /** With docker-compose.tls.yml, the stack's CA certificate (PEM), copied out of the auth-service container. */
  ca: string | undefined
  /** Spread into fetch's init for the auth service: trusts the stack's CA (nothing to add over plain http). */
  authInit: RequestInit
  projectName: string
  environment: StartedDockerComposeEnvironment | undefined
  /** Docker's handle on the one container of a compose service, found by label (v1 and v2 name them differently). */
  container: (service: ComposeService) => Promise<ServiceContainer>
  /** Every container of a compose service (the auth-service replicas, say). */
  containers: (service: ComposeService) => Promise<ServiceContainer[]>
  /** Takes everything down, volumes included, whether or not `up` finished. */
  down: () => Promise<void>
}

export type ComposeService = 'auth-service' | 'consumer-service' | 'postgres' | 'web'

export interface StackOptions {
  /** The compose files, in order (`-f` each): an override after docker-compose.yml. */
  files?: string[]
  /** How many auth-service replicas the files run: that many consecutive host ports in AUTH_PORT. */
  authReplicas?: number
  /** More variables for the compose files (`TOKEN_TTL`, say). */
  env?: Record<string, string>
}

/** The overlay that makes the auth service serve HTTPS with the stack's own CA. */
export const TLS_OVERLAY = 'docker-compose.tls.yml'

/** `count` consecutive ports that are free on loopback now: AUTH_PORT's range for scaled replicas. */
async function freePortRange (count: number): Promise<number[]> {
  for (;;) {
    const first = await freePort()
    const range = Array.from({ length: count }, (_, i) => first + i)
    if (!range.every((port) => port <= 65535)) continue
    if ((await Promise.all(range.slice(1).map(isFree))).every(Boolean)) return range
  }
}

function isFree (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

export interface ServiceContainer {
  /** The image it runs, as named in the compose file. */
  image: () => Promise<string>
  stop: () => Promise<void>
  start: () => Promise<void>
  restart: () => Promise<void>
  user: () => Promise<string>
  /** The container's environment, as `NAME=value` lines. */
  env: () => Promise<string[]>
  /**
   * Its memory limit in bytes (0: none), whether the kernel's OOM killer ended it, and how often Docker
   * restarted it.
   */
  memory: () => Promise<{ limitBytes: number, oomKilled: boolean, restarts: number }>
  /** Runs a command in the container; its stdout, or an error with its output. */
  exec: (command: string[]) => Promise<string>
  /** Everything the container printed so far. */
  logs: () => Promise<string>
}

/**
 * `docker compose up --build` of the repository's own docker-compose.yml (and `files` over it), on free
 * loopback ports.
 */
export async function upComposeStack (
  { files = ['docker-compose.yml'], authReplicas = 1, env = {} }: StackOptions = {}
): Promise<ComposeStack> {
  const authPorts = await freePortRange(authReplicas)
  const consumerPort = await freePort()
  const webPort = await freePort()
  const authPort = authPorts[0] as number
  const tls = files.includes(TLS_OVERLAY)
  const scheme = tls ? 'https' : 'http'
  const projectName = `jwks-it-${process.pid}`
  // Opened once the CA is known, closed by down().
  const opened: { dispatcher?: ReturnType<typeof trustingDispatcher> } = {}
  const stack: ComposeStack = {
    authUrl: `${scheme}://127.0.0.1:${authPort}`,
    authUrls: authPorts.map((port) => `${scheme}://127.0.0.1:${port}`),
    consumerUrl: `http://127.0.0.1:${consumerPort}`,
    // `localhost`, as the one-shot registration wrote the app's redirect URIs.
    webUrl: `http://localhost:${webPort}`,
    ca: undefined,
    authInit: {},
    projectName,
    environment: undefined,
    container: async (service) => {
      const found = await serviceContainers(projectName, service)
      if (found.length !== 1 || !found[0]) {
        throw new Error(`expected one ${service} container in ${projectName}, found ${found.length}`)
      }
      return found[0]
    },
    containers: (service) => serviceContainers(projectName, service),
    async down () {
      await opened.dispatcher?.close()
      if (stack.environment) {
        await stack.environment.down({ removeVolumes: true, timeout: 10_000 })
      } else {
        await promisify(execFile)('docker', ['compose', '-p', projectName, 'down', '-v'], { cwd: REPO_ROOT })
      }
    }
  }
  console.log(
    `integration: building and starting ${files.join(' + ')} as project ${projectName} (a few minutes on a cold cache)`
  )
  const authPortEnv = authReplicas > 1 ? `${authPort}-${authPort + authReplicas - 1}` : String(authPort)
  stack.environment = await new DockerComposeEnvironment(REPO_ROOT, files)
    .withProjectName(projectName)
    .withBuild()
    .withEnvironment({ ...env, AUTH_PORT: authPortEnv, CONSUMER_PORT: String(consumerPort), WEB_PORT: String(webPort) })
    .withDefaultWaitStrategy(Wait.forHealthCheck().withStartupTimeout(120_000))
    .up()
  // The one-shot services (certs, secrets, register-web-app) have exited by now (the services wait for
  // them): testcontainers lists running containers only, so they are never given the health-check wait.
  if (!tls) return stack
  const [firstAuth] = await stack.containers('auth-service')
  if (!firstAuth) throw new Error(`no auth-service container in ${projectName}`)
  stack.ca = await firstAuth.exec(['cat', '/app/tls/ca.crt'])
  opened.dispatcher = trustingDispatcher(stack.ca)
  stack.authInit = { dispatcher: opened.dispatcher } as RequestInit
  return stack
}

async function serviceContainers (projectName: string, service: string): Promise<ServiceContainer[]> {
  const client = await getContainerRuntimeClient()
  const found = (await client.container.list()).filter((info) =>
    info.Labels['com.docker.compose.project'] === projectName && info.Labels['com.docker.compose.service'] === service)
  // In the order Docker lists them: which replica holds which host port of the range is not known here.
  return found.map((info) => serviceContainer(client, info.Id, service))
}

function serviceContainer (
  client: Awaited<ReturnType<typeof getContainerRuntimeClient>>,
  id: string,
  service: string
): ServiceContainer {
  const container = client.container.getById(id)
  return {
    image: async () => (await client.container.inspect(container)).Config.Image,
    stop: () => client.container.stop(container, { timeout: 10 }),
    start: () => client.container.start(container),
    restart: () => client.container.restart(container, { timeout: 10 }),
    user: async () => (await client.container.inspect(container)).Config.User,
    env: async () => (await client.container.inspect(container)).Config.Env,
    async memory () {
      const info = await client.container.inspect(container)
      return { limitBytes: info.HostConfig.Memory ?? 0, oomKilled: info.State.OOMKilled, restarts: info.RestartCount }
    },
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
