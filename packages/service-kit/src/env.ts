import { envSchema } from 'env-schema'
import type { Static, TObject } from 'typebox'

/** Thrown when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Reads variables described by a TypeBox schema from an environment object: coerces numbers
 * and booleans, applies defaults and fails with one line naming every bad variable.
 */
export function readEnv<T extends TObject> (schema: T, env: Record<string, string | undefined>): Static<T> {
  try {
    return envSchema<Static<T>>({ schema, data: env, dotenv: false })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ConfigError(`invalid configuration: ${message.replaceAll('env/', '')}`)
  }
}

/** Accepts `true`/`false`/`1`/`0`, the spellings people put in compose files. */
export function parseBoolean (value: string | boolean): boolean {
  return value === true || value === 'true' || value === '1'
}

/** Pino's levels, for a `LOG_LEVEL` variable. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * An absolute http(s) URL without fragment (and, unless allowed, without query or trailing slash:
 * an issuer is compared byte for byte with `iss`, so there must be one way to write it).
 */
export function checkHttpUrl (name: string, value: string, { allowTrailingSlash = false } = {}): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`invalid configuration: ${name} must be an absolute URL, got "${value}"`)
  }
  const plain = !url.hash && (allowTrailingSlash || (!url.search && !value.endsWith('/')))
  if (!['http:', 'https:'].includes(url.protocol) || !plain) {
    throw new ConfigError(`invalid configuration: ${name} must be an http(s) URL without ${allowTrailingSlash ? 'fragment' : 'query, fragment or trailing slash'}`)
  }
  return value
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** `90`, `90s`, `15m`, `12h`, `30d` → seconds; `name` is for the error message. */
export function parseDurationSeconds (name: string, value: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim())
  if (!match) throw new ConfigError(`invalid configuration: ${name} must be a duration like 3600, 90s, 15m, 12h or 30d, got "${value}"`)
  return Number(match[1]) * (DURATION_UNITS[match[2] || 's'] as number)
}
