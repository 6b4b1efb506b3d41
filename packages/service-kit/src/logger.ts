import type { FastifyServerOptions, LogLevel } from 'fastify'
import { serializeRequest } from './request-serializer.js'

/** Paths pino replaces with `[Redacted]`: credentials must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'body.password',
  'password',
  'token',
  'access_token',
  '*.password',
  '*.token',
  '*.access_token'
]

export interface LoggerSettings {
  level: string
  /** Human-readable output; only worth it when a person watches a terminal. */
  pretty: boolean
}

export function loggerOptions ({ level, pretty }: LoggerSettings): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    // Fastify's request line logs `req.url`: its query values are redacted (tokens sent by mistake).
    serializers: { req: serializeRequest },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}

/**
 * The log level of routes that machines call every few seconds (health probes, JWKS, discovery):
 * their request lines are noise at `info`, and exactly what `debug` and `trace` are for.
 */
export function probeLogLevel (level: string): LogLevel {
  return level === 'debug' || level === 'trace' ? level : 'warn'
}
