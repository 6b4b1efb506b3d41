import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { ConfigError } from '@repo/service-kit/env'

/** One key-encryption key: the secret (as a KeyObject, which prints no material) and its public id. */
export interface Kek {
  /** 11 base64url characters naming the secret in every envelope it seals; reveals nothing about it. */
  id: string
  key: KeyObject
}

/** The secrets of `KEY_ENCRYPTION_KEYS`: the newest seals, every one opens what it sealed. */
export interface KekKeyring {
  newest: Kek
  byId: ReadonlyMap<string, Kek>
}

const SECRET_BYTES = 32
const BASE64URL = /^[A-Za-z0-9_-]+$/
const HOW_TO_MAKE = 'make one with: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"'

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
 * Parses a comma-separated list of base64url 256-bit secrets, newest first (whitespace around the
 * commas is ignored). Throws a `ConfigError` naming `name` and the bad entry's position, never its text.
 */
export function parseKeyEncryptionKeys (value: string, name = 'KEY_ENCRYPTION_KEYS'): KekKeyring {
  const texts = value.split(',').map((text) => text.trim())
  const many = texts.length > 1
  const byId = new Map<string, Kek>()
  const keys: Kek[] = []
  for (const [index, text] of texts.entries()) {
    const position = many ? `secret ${index + 1} of ${texts.length} ` : ''
    if (text === '') throw invalid(name, many ? `has an empty ${position.trim()}` : `is empty; ${HOW_TO_MAKE}`)
    const secret = decodeSecret(name, text, position)
    const kek = { id: kekIdOf(secret), key: createSecretKey(secret) }
    const first = keys.findIndex((other) => other.id === kek.id)
    if (first >= 0) throw invalid(name, `lists the same secret twice (secrets ${first + 1} and ${index + 1})`)
    keys.push(kek)
    byId.set(kek.id, kek)
  }
  return { newest: keys[0] as Kek, byId }
}
