import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { ConfigError } from './env.js'

export interface ListenOptions {
  port: number
  host: string
  /** How long in-flight requests get to finish after SIGTERM/SIGINT. */
  closeGraceMs?: number
}

/** Listens and closes the app on SIGTERM/SIGINT or a fatal error, letting in-flight requests finish. */
export async function startServer (app: FastifyInstance, { port, host, closeGraceMs = 10_000 }: ListenOptions) {
  closeWithGrace({ delay: closeGraceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after a fatal error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })
  await app.listen({ port, host })
}

/** Fastify's own default plugin timeout: what every plugin but the database's needs. */
const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000

/**
 * Fastify's `pluginTimeout` for a service whose database plugin waits up to `databaseStartWaitMs`
 * for PostgreSQL, each attempt taking up to `databaseConnectTimeoutMs`, then migrates: so the
 * documented wait holds and ends with its own one-line message, not "Plugin did not start in time".
 */
export function pluginTimeoutFor (
  { databaseStartWaitMs, databaseConnectTimeoutMs }: { databaseStartWaitMs: number, databaseConnectTimeoutMs: number }
): number {
  return databaseStartWaitMs + databaseConnectTimeoutMs + DEFAULT_PLUGIN_TIMEOUT_MS
}

/** A database the start-up gave up on (`DatabaseNotReachableError`): its message names it and why. */
const isStartupRefusal = (error: unknown) => (error as { code?: unknown } | null)?.code === 'DATABASE_NOT_REACHABLE'

/**
 * A port that cannot be had (the service's or METRICS_PORT), in one line: the usual cause is the
 * service already running, which a stack trace would only hide.
 */
export function listenProblem (error: unknown): string | undefined {
  const { code, syscall, port, address } =
    error as { code?: unknown, syscall?: unknown, port?: unknown, address?: unknown }
  if (syscall !== 'listen' || typeof code !== 'string') return undefined
  const where = `port ${String(port)} on ${String(address)}`
  if (code === 'EADDRINUSE') {
    return `${where} is already in use (another instance running? set PORT, or METRICS_PORT, to a free port)`
  }
  return `cannot listen on ${where} (${code})`
}

/**
 * The whole of a service's `server.ts`: read the configuration, build the app, listen, close on
 * signals. A bad configuration or a port in use ends the process with one line, not a stack trace.
 */
export async function runService<C extends ListenOptions & { warnings: readonly string[] }> (
  name: string, loadConfig: () => C, buildApp: (config: C) => Promise<FastifyInstance>
) {
  try {
    const config = loadConfig()
    const app = await buildApp(config)
    for (const warning of config.warnings) app.log.warn({ deprecated: true }, warning)
    await startServer(app, config)
  } catch (error) {
    // What the operator must fix is the whole message: one line, no stack.
    const refusal = error instanceof ConfigError || isStartupRefusal(error)
    const line = refusal ? (error as Error).message : listenProblem(error)
    if (line !== undefined) console.error(`${name}: ${line}`)
    else console.error(`${name}: failed to start`, error)
    process.exit(1)
  }
}
