import type { FastifyServerOptions } from 'fastify'
import { loggerOptions } from './logger.js'
import { serverOptions } from './server-options.js'
import { pluginTimeoutFor } from './start-server.js'
import type { TlsFiles } from './tls.js'
import { trustProxyOption } from './trust-proxy.js'

/** The settings a service's `Fastify({ ... })` options are made of. */
export interface FastifySettings {
  tls?: TlsFiles | undefined
  requestTimeoutMs: number
  trustProxy: readonly string[]
  logLevel: string
  prettyLogs: boolean
  databaseStartWaitMs: number
  databaseConnectTimeoutMs: number
}

export interface FastifyOptionsOverrides {
  /** The largest request body the service reads, in bytes. */
  bodyLimit: number
  /** A test's logger (or `false`); the service's own pino options otherwise. */
  logger?: FastifyServerOptions['logger'] | undefined
}

/**
 * What both services pass to `Fastify()`. Spread it so the instance keeps Fastify's plain-HTTP
 * server type even with HTTPS (see `serverOptions`).
 */
export function fastifyOptions (settings: FastifySettings, { bodyLimit, logger }: FastifyOptionsOverrides) {
  return {
    // HTTPS when TLS_CERT_FILE and TLS_KEY_FILE are set (inject() works the same either way), and
    // a request that has not arrived within REQUEST_TIMEOUT is answered 408 and its connection closed.
    ...serverOptions({ tls: settings.tls, requestTimeoutMs: settings.requestTimeoutMs }),
    // Behind a reverse proxy named in TRUST_PROXY, request.ip is the client it forwards for.
    ...trustProxyOption(settings.trustProxy),
    logger: logger ?? loggerOptions({ level: settings.logLevel, pretty: settings.prettyLogs }),
    bodyLimit,
    // The database plugin may wait DATABASE_START_WAIT for PostgreSQL (each attempt up to
    // DATABASE_CONNECT_TIMEOUT): Fastify's 10 s plugin timeout would cut that wait short.
    pluginTimeout: pluginTimeoutFor(settings),
    // Reject what doesn't match the schema instead of coercing or silently dropping it.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } }
  }
}
