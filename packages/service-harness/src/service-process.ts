import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitForReady } from './http.js'
import type { TestTls } from './tls.js'

/** packages/service-harness/dist → the repository root. */
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/**
 * An entry point a service's `exports` map publishes (`@repo/auth-service/server`), resolved as the
 * package resolves its own name: through its door, without this package depending on the apps.
 */
export function serviceEntry (app: ServiceName, entry: string): string {
  return createRequire(join(REPO_ROOT, 'apps', app, 'package.json')).resolve(`@repo/${app}/${entry}`)
}

export type ServiceName = 'auth-service' | 'consumer-service'

/**
 * The built entry point of a service (`dist/server.js`), resolved when it is asked for: a suite that
 * imports this module without starting a service does not need the apps built.
 */
export const serviceServerEntry = (name: ServiceName): string => serviceEntry(name, 'server')

export interface ServiceProcess {
  name: string
  url: string
  port: number
  /**
   * How the auth service names this process in its key history (`<hostname>/<pid>`): filter
   * `keyEvents` by it to see what one replica did.
   */
  instanceId: string
  /** Everything the process printed, for a failing test to show. */
  output: () => string
  waitUntilReady: (timeoutMs?: number) => Promise<void>
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>
  /**
   * SIGKILL at once, as a crash or `kill -9` would: no graceful shutdown. Resolves once it has exited
   * and `output()` holds everything it wrote before it died.
   */
  kill: () => Promise<void>
  exited: () => boolean
  /** Peak resident set size of the process so far, in MiB (Linux `VmHWM`). */
  peakRssMiB: () => Promise<number>
}

export interface StartOptions {
  /** Serve HTTPS with this test certificate (`TLS_CERT_FILE`, `TLS_KEY_FILE`); `url` is then https. */
  tls?: TestTls
  /** Node's own flags, before the entry point (`--max-semi-space-size=4`). */
  nodeFlags?: readonly string[]
}

/**
 * The V8 flags each service runs with wherever it is started, as its image's CMD and its `start` script
 * pass them: the consumer's young generation capped at 4 MiB semi-spaces (docs/performance.md#memory).
 */
export const SERVICE_NODE_FLAGS: Readonly<Record<ServiceName, readonly string[]>> = {
  'auth-service': [],
  'consumer-service': ['--max-semi-space-size=4']
}

/** Runs a built service with `node dist/server.js` (the Node that runs the tests), on 127.0.0.1:`port`. */
export function startService (
  name: ServiceName, port: number, env: Record<string, string>, options: StartOptions = {}
): ServiceProcess {
  return startProcess(name, serviceServerEntry(name), port, env, { ...options, nodeFlags: SERVICE_NODE_FLAGS[name] })
}

/** Runs any Node entry point that serves `/health/ready` on 127.0.0.1:`port` (the benchmark's bare server, say). */
export function startProcess (
  name: string, entry: string, port: number, env: Record<string, string>, { tls, nodeFlags = [] }: StartOptions = {}
): ServiceProcess {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, entry], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...tls?.serverEnv,
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', (chunk) => { output += String(chunk) })
  child.stderr?.on('data', (chunk) => { output += String(chunk) })
  const exit = once(child, 'exit')
  // After 'exit', output may still sit in the pipes: 'close' comes once they are read to the end.
  const closed = once(child, 'close')
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`

  return {
    name,
    url,
    port,
    instanceId: `${hostname()}/${child.pid}`,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async peakRssMiB () {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
      const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1])
      return Math.round(kib / 1024)
    },
    // 60 s: a service is ready in about a second, but a loaded 2-core machine starting several at
    // once (replicas, a migration each) has taken more than 15 s. A process that exits ends the wait.
    async waitUntilReady (timeoutMs = 60_000) {
      try {
        await waitForReady(url, {
          timeoutMs,
          init: tls?.requestInit,
          isGone: () => child.exitCode !== null && `${name} exited with ${child.exitCode}`
        })
      } catch (error) {
        throw new Error(`${(error as Error).message}:\n${output}`)
      }
    },
    async stop (graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exit
      clearTimeout(timer)
    },
    async kill () {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGKILL')
      await closed
    }
  }
}

/**
 * Runs one of the auth service's CLIs (`@repo/auth-service/cli/<name>`) to completion, with `input` on
 * stdin, in `cwd`.
 */
export async function runAuthCli (
  name: 'keys' | 'users' | 'clients', args: string[], env: Record<string, string>, input = '', cwd?: string
): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [serviceEntry('auth-service', `cli/${name}`), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += String(chunk) })
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  child.stdin.end(input)
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}

/** One transition of the auth service's key history: `by` is a replica's `instanceId`, or the keys CLI's. */
export interface KeyHistoryEvent {
  event: string
  kid: string
  alg: string
  time: number
  by: string
}

/** The auth service's key history on the database `env` points at (`keys events --json`), oldest first. */
export async function keyEvents (env: Record<string, string>): Promise<KeyHistoryEvent[]> {
  const { code, stdout, stderr } = await runAuthCli('keys', ['events', '--json'], env)
  if (code !== 0) throw new Error(`keys events exited with ${code}: ${stderr}`)
  return JSON.parse(stdout) as KeyHistoryEvent[]
}
