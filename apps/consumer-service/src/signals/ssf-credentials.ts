import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { ConfigError } from '@repo/service-kit/env'

/**
 * A client secret that never prints: a log line, `JSON.stringify` or `util.inspect` of the
 * configuration shows `[redacted]`; only `reveal()` gives it, for the token request.
 */
export class Secret {
  readonly #value: string

  constructor (value: string) {
    this.#value = value
  }

  reveal (): string {
    return this.#value
  }

  toJSON (): string {
    return '[redacted]'
  }

  toString (): string {
    return '[redacted]'
  }

  [inspect.custom] (): string {
    return '[redacted]'
  }
}

/** The client this service is at an issuer's Shared Signals transmitter (a `--ssf-receiver` client there). */
export interface SsfCredentials {
  clientId: string
  clientSecret: Secret
}

/** Reads the secret file now, so a missing or empty one stops start-up with the variable's name. */
export function readSsfCredentials (name: string, clientId: string, secretFile: string): SsfCredentials {
  let text: string
  try {
    text = readFileSync(secretFile, 'utf8')
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable'
    throw new ConfigError(`invalid configuration: ${name}: cannot read the client secret file (${code})`)
  }
  const secret = text.trim()
  if (secret.length === 0) throw new ConfigError(`invalid configuration: ${name}: the client secret file is empty`)
  return { clientId, clientSecret: new Secret(secret) }
}
