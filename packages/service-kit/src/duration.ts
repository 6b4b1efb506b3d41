import { ConfigError } from './config-error.js'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export interface DurationLimits {
  /** What the caller wants back: whole seconds (`s`) or milliseconds (`ms`). */
  unit: 's' | 'ms'
  /** Inclusive bounds, written as durations themselves (`'1s'`, `'1d'`). */
  min?: string
  max?: string
}

/** `500ms`, `90s`, `15m`, `12h`, `30d` → milliseconds; a bare number is seconds. Undefined if malformed. */
export function durationMs (value: string): number | undefined {
  const match = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(value.trim())
  if (!match) return undefined
  return Number(match[1]) * (UNIT_MS[match[2] ?? 's'] as number)
}

/**
 * One syntax for every duration in both services' configuration. `name` is for the message;
 * a value in seconds must be whole seconds (`1500ms` is refused where a TTL is counted in seconds).
 */
export function parseDuration (name: string, value: string, { unit, min, max }: DurationLimits): number {
  const ms = durationMs(value)
  const fail = (problem: string, shown = value) =>
    new ConfigError(`invalid configuration: ${name} ${problem}, got "${shown}"`)
  if (ms === undefined) {
    throw fail('must be a duration like 500ms, 90s, 15m, 12h or 30d (a bare number is seconds)', value.slice(0, 100))
  }
  const [least, most] = [durationMs(min ?? '0s') ?? 0, max === undefined ? Infinity : durationMs(max) ?? Infinity]
  if (ms < least || ms > most) throw fail(`must be ${min ?? '0s'} to ${max ?? 'any length'}`)
  if (unit === 's' && ms % 1000 !== 0) throw fail('must be whole seconds')
  return unit === 's' ? ms / 1000 : ms
}
