import { envSchema } from 'env-schema'
import type { Static, TObject } from 'typebox'
import { ConfigError } from './config-error.js'
import { parseDuration, type DurationLimits } from './duration.js'

export { ConfigError } from './config-error.js'
export { durationMs, parseDuration, type DurationLimits } from './duration.js'

/**
 * A variable renamed in this release. The old name keeps working, with a deprecation warning,
 * until the next one. `unit` is what a bare number under the old name meant (`KEY_STATE_POLL_MS=100`
 * is `100ms`; a bare number under a new duration name is seconds).
 */
export interface Rename {
  from: string
  to: string
  unit?: 's' | 'ms'
}

interface AjvError {
  instancePath?: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

const describeAjvError = (error: AjvError, env: Record<string, string | undefined>): [string, string] => {
  const name = (error.instancePath ?? '').replace(/^\//, '') || String(error.params.missingProperty ?? '(environment)')
  const got = env[name] === undefined ? '' : `, got "${String(env[name]).slice(0, 100)}"`
  if (error.keyword === 'enum') {
    return [name, `${name} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}${got}`]
  }
  if (error.keyword === 'minimum' || error.keyword === 'maximum') return [name, `${name} ${error.message}${got}`]
  if (error.keyword === 'type') return [name, `${name} must be ${String(error.params.type)}${got}`]
  return [name, `${name} ${error.message ?? 'is invalid'}${got}`]
}

/**
 * Reads a service's configuration from an environment object and collects every problem before
 * it reports any, so one start-up names every bad variable at once:
 *
 * ```ts
 * const env = new EnvReader(process.env, RENAMES)
 * const vars = env.read(EnvSchema)                 // types, ranges, enums, defaults
 * const issuer = env.check('ISSUER', () => checkHttpUrl('ISSUER', vars.ISSUER))
 * const ttl = env.duration('TOKEN_TTL', vars.TOKEN_TTL, { unit: 's', min: '1s', max: '1d' })
 * env.finish()                                     // throws one ConfigError listing them all
 * ```
 *
 * The services read through `readSettings` (settings.ts), from one table declaring each setting once.
 */
export class EnvReader {
  readonly #env: Record<string, string | undefined>
  readonly #problems = new Map<string, string>()
  /** Deprecation notices for the service to log once it has a logger. */
  readonly warnings: string[] = []

  constructor (env: Record<string, string | undefined>, renames: readonly Rename[] = []) {
    const copy = { ...env }
    for (const { from, to, unit } of renames) {
      const old = copy[from]
      if (old === undefined) continue
      if (copy[to] !== undefined) {
        this.warnings.push(`${from} is deprecated and ignored because ${to} is set; remove ${from}`)
      } else {
        copy[to] = unit === 'ms' && /^\s*\d+\s*$/.test(old) ? `${old.trim()}ms` : old
        this.warnings.push(
          `${from} is deprecated; use ${to}=${copy[to]} instead (the old name stops working in the next release)`
        )
      }
      delete copy[from]
    }
    this.#env = copy
  }

  /** Validates the schema's variables (coercing numbers and booleans, applying defaults), collecting problems. */
  read<T extends TObject> (schema: T): Static<T> {
    try {
      const data = { ...this.#env }
      return envSchema<Static<T>>({ schema: structuredClone(schema), data, env: false, dotenv: false })
    } catch (error) {
      const errors = (error as { errors?: AjvError[] }).errors ?? []
      for (const ajvError of errors) {
        const [name, message] = describeAjvError(ajvError, this.#env)
        if (!this.#problems.has(name)) this.#problems.set(name, message)
      }
      if (errors.length === 0) throw error
      // The good variables as given and defaults for the bad ones, so the remaining checks still run.
      const rest = Object.fromEntries(Object.entries(this.#env).filter(([name]) => !this.#problems.has(name)))
      return envSchema<Static<T>>({ schema: structuredClone(schema), data: rest, env: false, dotenv: false })
    }
  }

  /** Whether the variable is set (under its name or a deprecated one), default or not. */
  isSet (name: string): boolean {
    return this.#env[name] !== undefined
  }

  /** True when `name` already has a problem: later checks of it would only repeat it. */
  failed (name: string): boolean {
    return this.#problems.has(name)
  }

  /** Runs a check that throws `ConfigError`; records its message under `name` and returns undefined instead. */
  check<T> (name: string, work: () => T): T | undefined {
    if (this.failed(name)) return undefined
    try {
      return work()
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      this.#problems.set(name, error.message.replace(/^invalid configuration: /, ''))
      return undefined
    }
  }

  /** A duration variable (`90s`, `15m`, `500ms`; a bare number is seconds), in `limits.unit`. */
  duration (name: string, value: string, limits: DurationLimits): number {
    return this.check(name, () => parseDuration(name, value, limits)) ?? Number.NaN
  }

  /** Records a problem that involves several variables (a timing rule), under the first one's name. */
  problem (name: string, message: string): void {
    if (!this.#problems.has(name)) this.#problems.set(name, message)
  }

  /** Throws one `ConfigError` naming every problem found, or returns the deprecation warnings. */
  finish (): string[] {
    if (this.#problems.size > 0) {
      throw new ConfigError(`invalid configuration: ${[...this.#problems.values()].join('; ')}`)
    }
    return this.warnings
  }
}

/** Accepts `true`/`false`/`1`/`0`, the spellings people put in compose files. */
export function parseBoolean (value: unknown): boolean {
  return value === true || value === 'true' || value === '1'
}

/** Pino's levels, for a `LOG_LEVEL` variable. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** `LOG_FORMAT`: `auto` is human-readable in a terminal and JSON lines anywhere else. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const

/** Whether to pretty-print logs, from `LOG_FORMAT` and whether stdout is a terminal. */
export function prettyLogs (format: typeof LOG_FORMATS[number], isTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTty)
}

/**
 * An absolute http(s) URL without fragment (and, unless allowed, without query or trailing slash:
 * an issuer is compared byte for byte with `iss`, so there must be one way to write it).
 */
export function checkHttpUrl (name: string, value: string, { allowTrailingSlash = false } = {}): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`invalid configuration: ${name} must be an absolute URL, got "${value.slice(0, 100)}"`)
  }
  const plain = !url.hash && (allowTrailingSlash || (!url.search && !value.endsWith('/')))
  if (!['http:', 'https:'].includes(url.protocol) || !plain) {
    const parts = allowTrailingSlash ? 'fragment' : 'query, fragment or trailing slash'
    const got = value.slice(0, 100)
    throw new ConfigError(`invalid configuration: ${name} must be an http(s) URL without ${parts}, got "${got}"`)
  }
  return value
}
