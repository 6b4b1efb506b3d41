import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  generateKeyEncryptionKey, isSealed, KeySealError, needsReseal, openPrivateKey, parseKeyEncryptionKeys, sealPrivateKey
} from '../../../src/keys/sealing/index.js'

const NEW = generateKeyEncryptionKey()
const OLD = generateKeyEncryptionKey()
const OTHER = generateKeyEncryptionKey()
const KID = 'kid-of-this-row'
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  .export({ format: 'pem', type: 'pkcs8' }).toString()

// What a reader would look for: the key's DER (in PEM it starts "MII" and goes on with the key's own bytes).
const DER = createPrivateKey(PEM).export({ format: 'der', type: 'pkcs8' })
const DER_TEXT = DER.toString('base64').slice(0, 24)

const keyring = parseKeyEncryptionKeys(`${NEW},${OLD}`)
const sealed = sealPrivateKey(keyring, KID, PEM)

/** The error `work` throws, checked to carry no secret and no key material. */
function sealError (work: () => unknown): KeySealError {
  try {
    work()
  } catch (error) {
    expect(error).toBeInstanceOf(KeySealError)
    const { message } = error as Error
    for (const secret of [NEW, OLD, OTHER]) expect(message).not.toContain(secret)
    expect(message).not.toMatch(/BEGIN|PRIVATE/)
    expect(message).not.toContain(DER_TEXT)
    return error as KeySealError
  }
  throw new Error('expected a KeySealError')
}

/** `envelope` with one byte of its `index`th dot-separated part changed. */
function flipByte (envelope: string, index: number): string {
  const parts = envelope.split('.')
  const bytes = Buffer.from(parts[index] as string, index === 0 ? 'utf8' : 'base64url')
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1)
  parts[index] = bytes.toString(index === 0 ? 'utf8' : 'base64url')
  return parts.join('.')
}

describe('sealed private keys', () => {
  it('round-trips, in the kek1.<kekId>.<iv>.<ciphertext>.<tag> envelope, sealed by the newest secret', () => {
    expect(sealed).toMatch(new RegExp(`^kek1\\.${keyring.newest.id}\\.[\\w-]{16}\\.[\\w-]+\\.[\\w-]{22}$`))
    expect(openPrivateKey(keyring, KID, sealed)).toBe(PEM)
    expect(sealPrivateKey(keyring, KID, PEM)).not.toBe(sealed)
  })

  it('holds nothing a reader of the database could use as a private key', () => {
    expect(DER_TEXT).toMatch(/^MII/)
    expect(sealed).not.toMatch(/BEGIN|PRIVATE/)
    expect(sealed).not.toContain(DER_TEXT)
    for (const part of sealed.split('.').slice(2)) {
      const bytes = Buffer.from(part, 'base64url')
      expect(bytes.includes(DER.subarray(0, 16)) || bytes.includes(Buffer.from(PEM.slice(0, 40)))).toBe(false)
    }
    expect(() => createPrivateKey(sealed)).toThrow()
    expect(() => createPrivateKey({ key: Buffer.from(sealed), format: 'der', type: 'pkcs8' })).toThrow()
  })

  it.each([
    ['the version', 0, 'KEY_SEAL_INVALID'],
    ['the kek id', 1, 'KEY_SEAL_UNKNOWN_KEK'],
    ['the IV', 2, 'KEY_SEAL_INVALID'],
    ['the ciphertext', 3, 'KEY_SEAL_INVALID'],
    ['the tag', 4, 'KEY_SEAL_INVALID']
  ])('refuses one changed byte in %s', (_, index, code) => {
    expect(sealError(() => openPrivateKey(keyring, KID, flipByte(sealed, index))).code).toBe(code)
  })

  it.each([
    ['a missing part', sealed.split('.').slice(0, 4).join('.')],
    ['an extra part', `${sealed}.AAAA`],
    ['a shortened tag', sealed.slice(0, -2)],
    ['clear PKCS#8', PEM]
  ])('refuses %s', (_, value) => {
    expect(sealError(() => openPrivateKey(keyring, KID, value)).code).toBe('KEY_SEAL_INVALID')
  })

  it('does not open for another kid (a value copied to another row)', () => {
    const error = sealError(() => openPrivateKey(keyring, 'kid-of-another-row', sealed))
    expect(error.code).toBe('KEY_SEAL_INVALID')
    expect(error.message).toContain('kid-of-another-row')
  })

  it('opens what an older listed secret sealed, and says it needs resealing', () => {
    const byOld = sealPrivateKey(parseKeyEncryptionKeys(OLD), KID, PEM)
    expect(openPrivateKey(keyring, KID, byOld)).toBe(PEM)
    expect(needsReseal(keyring, byOld)).toBe(true)
    expect(needsReseal(keyring, sealed)).toBe(false)
    expect(needsReseal(keyring, PEM)).toBe(true)
  })

  it('names the kek id and the kid when no listed secret sealed the key', () => {
    const byOther = parseKeyEncryptionKeys(OTHER)
    const error = sealError(() => openPrivateKey(byOther, KID, sealed))
    expect(error.code).toBe('KEY_SEAL_UNKNOWN_KEK')
    expect(error.message).toBe(
      `the private key of kid ${KID} was sealed with key-encryption key ${keyring.newest.id}, which is not listed`)
  })

  it('tells an envelope from clear PKCS#8', () => {
    expect(isSealed(sealed)).toBe(true)
    expect(isSealed(PEM)).toBe(false)
    expect(isSealed('kek1.only.three')).toBe(false)
  })
})
