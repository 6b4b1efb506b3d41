import { ConfigError, parseDuration } from '@repo/service-kit/env'
import { setting } from '@repo/service-kit/settings'
import type { RateLimit } from './credential-limits.js'

/** `COUNT/WINDOW`, as in `5/15m`: at most COUNT per WINDOW (a duration, 1s to 1d); COUNT is 1 to 1000000. */
export function parseRateLimit (name: string, value: string): RateLimit {
  const match = /^\s*(\d{1,7})\s*\/\s*(\S+)\s*$/.exec(value)
  const max = Number(match?.[1])
  if (!match?.[2] || max < 1 || max > 1_000_000) {
    const expected = 'COUNT/WINDOW like 5/15m (COUNT 1 to 1000000)'
    throw new ConfigError(`invalid configuration: ${name} must be ${expected}, got "${value.slice(0, 100)}"`)
  }
  return { max, windowMs: parseDuration(name, match[2], { unit: 'ms', min: '1s', max: '1d' }) }
}

/** A rate limit variable, `COUNT/WINDOW`. */
export const rateLimitSetting = (name: string, fallback: string) => setting.parsed(name, {
  default: fallback,
  parse: (value) => parseRateLimit(name, value),
  fallback: { max: Number.NaN, windowMs: Number.NaN }
})
