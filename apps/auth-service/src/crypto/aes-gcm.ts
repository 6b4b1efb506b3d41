import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto'

/** 96 bits: the IV length GCM is specified for (any other length is hashed into one, weakening it). */
export const IV_BYTES = 12
/** The full 128-bit tag: a shorter one makes forgeries cheaper. */
export const TAG_BYTES = 16

/** The three parts of an AES-256-GCM seal, each stored by the caller in its own wire format. */
export interface GcmSeal {
  iv: Buffer
  ciphertext: Buffer
  tag: Buffer
}

/**
 * Encrypts `plaintext` under a fresh random IV, authenticating `aad` with it: the seal opens only
 * with the same key and the same additional data (which binds it to the row or key it belongs to).
 */
export function gcmSeal (key: KeyObject | Buffer, plaintext: Buffer, aad: Buffer): GcmSeal {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES }).setAAD(aad)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { iv, ciphertext, tag: cipher.getAuthTag() }
}

/**
 * The plaintext of a seal, or undefined when the parts have the wrong sizes or do not authenticate
 * (another key, other additional data, any changed byte): callers tell the two apart only if they must.
 */
export function gcmOpen (key: KeyObject | Buffer, { iv, ciphertext, tag }: GcmSeal, aad: Buffer): Buffer | undefined {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES }).setAAD(aad).setAuthTag(tag)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch {
    return undefined
  }
}
