import { ConfigError } from '../config-error.js'

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages and logs. */
export function redactDatabaseUrl (value: string): string {
  return value.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@')
}

/**
 * DATABASE_URL, checked: a `postgres://` or `postgresql://` URL with a host. The error never
 * repeats the password.
 */
export function checkDatabaseUrl (name: string, value: string): string {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {}
  if (!url || !['postgres:', 'postgresql:'].includes(url.protocol) || !url.hostname) {
    const shown = redactDatabaseUrl(value).slice(0, 100)
    throw new ConfigError(
      `invalid configuration: ${name} must be a postgres://user:password@host:port/database URL, got "${shown}"`
    )
  }
  return value
}
