import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { inspect } from 'node:util'
import { ConfigError } from '@repo/service-kit/env'

/** One key-encryption key: the secret (as a KeyObject, which prints no material) and its public id. */
export interface Kek {
  /** 11 base64url characters naming the secret in every envelope it seals; reveals nothing about it. */
  id: string
  key: KeyObject
}

/**
 * The secrets of `KEY_ENCRYPTION_KEYS`: the newest seals, every one opens what it sealed. It sits in
 * the service's configuration, which a log line or a debugger may print: printed or serialized, it
 * shows where it came from and the kek ids, never a secret.
 */
export class KekKeyring {
  readonly newest: Kek
  readonly byId: ReadonlyMap<string, Kek>
  /** Where the secrets came from (`KEY_ENCRYPTION_KEYS`, `KEY_ENCRYPTION_KEYS_FILE`, a file's path): errors name it. */
  readonly source: string

  constructor (keys: readonly [Kek, ...Kek[]], source: string) {
    this.newest = keys[0]
    this.byId = new Map(keys.map((kek) => [kek.id, kek]))
    this.source = source
  }

  toJSON (): { source: string, kekIds: string[] } {
    return { source: this.source, kekIds: [...this.byId.keys()] }
  }

  [inspect.custom] (): string {
    return `KekKeyring ${JSON.stringify(this.toJSON())}`
  }
}

const SECRET_BYTES = 32
const BASE64URL = /^[A-Za-z0-9_-]+$/
/** How to make a secret, for the messages that ask for one. */
export const HOW_TO_MAKE =
  'make one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"'

/**
 * The id stored beside each sealed key, so opening picks its secret without trying them all. An HMAC
 * of a fixed label under the secret: a 256-bit secret is not guessable from it.
 */
export function kekIdOf (secret: Buffer): string {
  return createHmac('sha256', secret).update('kek-id').digest().subarray(0, 8).toString('base64url')
}

const invalid = (name: string, problem: string) => new ConfigError(`invalid configuration: ${name} ${problem}`)

function decodeSecret (name: string, text: string, position: string): Buffer {
  // Messages name the secret's position, never its text: an error line ends up in logs.
  if (!BASE64URL.test(text)) {
    throw invalid(name, `${position}is not base64url (A-Z a-z 0-9 - _, no padding); ${HOW_TO_MAKE}`)
  }
  const secret = Buffer.from(text, 'base64url')
  if (secret.length !== SECRET_BYTES || secret.toString('base64url') !== text) {
    throw invalid(name, `${position}must be 32 bytes (256 bits) in base64url, 43 characters; ${HOW_TO_MAKE}`)
  }
  return secret
}

/**
 * Parses a list of base64url 256-bit secrets, newest first, separated by commas or line breaks (a
 * file of one secret per line reads as the variable does; whitespace around each is ignored). Throws
 * a `ConfigError` naming `name` and the bad entry's position, never its text.
 */
export function parseKeyEncryptionKeys (value: string, name = 'KEY_ENCRYPTION_KEYS'): KekKeyring {
  const texts = value.trim().split(/,|\r?\n/).map((text) => text.trim())
  const many = texts.length > 1
  const keys: Kek[] = []
  for (const [index, text] of texts.entries()) {
    const position = many ? `secret ${index + 1} of ${texts.length} ` : ''
    if (text === '') throw invalid(name, many ? `has an empty ${position.trim()}` : `is empty; ${HOW_TO_MAKE}`)
    const secret = decodeSecret(name, text, position)
    const kek = { id: kekIdOf(secret), key: createSecretKey(secret) }
    const first = keys.findIndex((other) => other.id === kek.id)
    if (first >= 0) throw invalid(name, `lists the same secret twice (secrets ${first + 1} and ${index + 1})`)
    keys.push(kek)
  }
  const [newest, ...older] = keys
  // Unreachable: split() returns at least one entry, and an empty one was refused above.
  if (newest === undefined) throw invalid(name, `is empty; ${HOW_TO_MAKE}`)
  return new KekKeyring([newest, ...older], name)
}
