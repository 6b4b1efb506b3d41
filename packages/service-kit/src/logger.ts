import type { FastifyServerOptions, LogLevel } from 'fastify'
import pino from 'pino'
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

/**
 * JSON lines go to stdout with one synchronous write each: a line is in the pipe or file before the
 * code that logged it goes on (an audit event before its answer is sent), so a crash or `kill -9`
 * loses none, where pino's default asynchronous stream loses whatever waits behind scrypt and
 * signatures on libuv's thread pool. Pretty output (a terminal) runs in pino-pretty's worker as before.
 */
export function loggerOptions ({ level, pretty }: LoggerSettings): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    // Fastify's request line logs `req.url`: its query values are redacted (tokens sent by mistake).
    serializers: { req: serializeRequest },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : { stream: pino.destination({ dest: 1, sync: true }) })
  }
}

/**
 * The log level of routes that machines call every few seconds (health probes, JWKS, discovery):
 * their request lines are noise at `info`, and exactly what `debug` and `trace` are for.
 */
export function probeLogLevel (level: string): LogLevel {
  return level === 'debug' || level === 'trace' ? level : 'warn'
}
