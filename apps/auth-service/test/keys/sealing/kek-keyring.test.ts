import { randomBytes } from 'node:crypto'
import { ConfigError } from '@repo/service-kit/env'
import { describe, expect, it } from 'vitest'
import { generateKeyEncryptionKey, kekIdOf, parseKeyEncryptionKeys } from '../../../src/keys/sealing/index.js'

const NEW = generateKeyEncryptionKey()
const OLD = generateKeyEncryptionKey()

describe('KEY_ENCRYPTION_KEYS', () => {
  it('lists the secrets newest first, whitespace around the commas ignored', () => {
    const keyring = parseKeyEncryptionKeys(` ${NEW} ,\t${OLD}\n`)
    expect(keyring.newest.id).toBe(kekIdOf(Buffer.from(NEW, 'base64url')))
    expect([...keyring.byId.keys()]).toEqual([NEW, OLD].map((secret) => kekIdOf(Buffer.from(secret, 'base64url'))))
    expect(keyring.newest.id).toMatch(/^[A-Za-z0-9_-]{11}$/)
  })

  it('keeps the secret out of what a log of the keyring would print', () => {
    const keyring = parseKeyEncryptionKeys(NEW)
    expect(JSON.stringify(keyring)).not.toContain(NEW)
    expect(String(Object.values(keyring.newest))).not.toContain(NEW)
  })

  const short = randomBytes(16).toString('base64url')
  // 43 characters whose last one sets bits beyond the 256th: Buffer decodes it as NEW, a second spelling of it.
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const nonCanonical = `${NEW.slice(0, 42)}${ALPHABET[ALPHABET.indexOf(NEW.slice(-1)) + 1]}`
  it.each([
    ['empty', '', /^invalid configuration: KEY_ENCRYPTION_KEYS is empty; make one with/],
    ['only spaces', '  ', /KEY_ENCRYPTION_KEYS is empty/],
    ['an empty entry', `${NEW},,${OLD}`, /KEY_ENCRYPTION_KEYS has an empty secret 2 of 3$/],
    ['a trailing comma', `${NEW},`, /KEY_ENCRYPTION_KEYS has an empty secret 2 of 2$/],
    ['standard base64', randomBytes(32).toString('base64').replace(/^./, '+'), /KEY_ENCRYPTION_KEYS is not base64url/],
    ['padding', `${NEW}=`, /KEY_ENCRYPTION_KEYS is not base64url/],
    ['a short secret', short, /KEY_ENCRYPTION_KEYS must be 32 bytes \(256 bits\)/],
    ['a long secret', randomBytes(33).toString('base64url'), /KEY_ENCRYPTION_KEYS must be 32 bytes/],
    ['a second, bad secret', `${NEW}, ${short}`, /KEY_ENCRYPTION_KEYS secret 2 of 2 must be 32 bytes/],
    ['bits beyond the 256th', nonCanonical, /KEY_ENCRYPTION_KEYS must be 32 bytes/],
    ['a duplicate', `${NEW},${OLD},${NEW}`, /KEY_ENCRYPTION_KEYS lists the same secret twice \(secrets 1 and 3\)$/]
  ])('refuses %s, naming the variable and not the secret', (_, value, message) => {
    const error = catchError(() => parseKeyEncryptionKeys(value))
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.message).toMatch(message)
    for (const secret of value.split(',').map((text) => text.trim()).filter((text) => text.length > 2)) {
      expect(error.message).not.toContain(secret)
    }
  })

  it('names the variable it was given (the _FILE variant, a file path)', () => {
    expect(catchError(() => parseKeyEncryptionKeys('x', 'KEY_ENCRYPTION_KEYS_FILE')).message)
      .toMatch(/^invalid configuration: KEY_ENCRYPTION_KEYS_FILE must be 32 bytes/)
  })
})

function catchError (work: () => unknown): Error {
  try {
    work()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}
