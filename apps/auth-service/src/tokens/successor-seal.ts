import { hkdfSync } from 'node:crypto'
import { gcmOpen, gcmSeal } from '../crypto/aes-gcm.js'

const INFO = 'refresh-token successor v1'

/**
 * The key that seals a refresh token's successor, derived from the parent token itself. The server
 * stores only the parent's SHA-256, so only whoever presents the parent can open the seal: a copy of
 * the database (or a replica's backup) opens nothing. The parent is 256 random bits, which is why
 * HKDF without a salt is enough here.
 */
const keyOf = (parent: string) => Buffer.from(hkdfSync('sha256', parent, Buffer.alloc(0), INFO, 32))

/**
 * Seals `successor` (AES-256-GCM) so that it can be recovered from `parent` alone: `iv.ciphertext.tag`
 * in base64url. `parentHash` is the additional data, binding the seal to the parent's row.
 */
export function sealSuccessor (parent: string, parentHash: string, successor: string): string {
  const { iv, ciphertext, tag } = gcmSeal(keyOf(parent), Buffer.from(successor, 'utf8'), Buffer.from(parentHash))
  return [iv, ciphertext, tag].map((part) => part.toString('base64url')).join('.')
}

/** The successor sealed by `sealSuccessor`, or undefined if the seal is malformed or was not made with `parent`. */
export function openSuccessor (parent: string, parentHash: string, seal: string): string | undefined {
  const [iv, ciphertext, tag, ...rest] = seal.split('.').map((part) => Buffer.from(part, 'base64url'))
  if (!iv || !ciphertext || !tag || rest.length > 0) return undefined
  return gcmOpen(keyOf(parent), { iv, ciphertext, tag }, Buffer.from(parentHash))?.toString('utf8')
}
