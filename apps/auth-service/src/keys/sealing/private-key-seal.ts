import { gcmOpen, gcmSeal } from '../../crypto/aes-gcm.js'
import type { KekKeyring } from './kek-keyring.js'
import { KeySealError } from './key-seal-error.js'

/** The envelope's version tag: a later format gets another, so both can be read during a migration. */
const VERSION = 'kek1'

interface Envelope {
  kekId: string
  iv: Buffer
  ciphertext: Buffer
  tag: Buffer
}

function parse (value: string): Envelope | undefined {
  const [version, kekId, ...parts] = value.split('.')
  if (version !== VERSION || kekId === undefined || parts.length !== 3) return undefined
  if (!/^[A-Za-z0-9_-]{11}$/.test(kekId) || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) return undefined
  const [iv, ciphertext, tag] = parts.map((part) => Buffer.from(part, 'base64url')) as [Buffer, Buffer, Buffer]
  return { kekId, iv, ciphertext, tag }
}

/**
 * The additional data: the signing key's `kid` (a value copied to another row does not open) and the
 * sealing secret's id (the envelope's header is authenticated too). The kek id is fixed-length
 * base64url, so the concatenation is unambiguous.
 */
const aad = (kekId: string, kid: string) => Buffer.from(`${VERSION}.${kekId}.${kid}`)

/** Whether a stored value is an envelope made by `sealPrivateKey` (and not, say, clear PKCS#8 PEM). */
export function isSealed (value: string): boolean {
  return parse(value) !== undefined
}

/**
 * Seals a private key (PKCS#8 PEM) for the row of `kid` with the keyring's newest secret:
 * `kek1.<kekId>.<iv>.<ciphertext>.<tag>`, AES-256-GCM, the parts in base64url.
 */
export function sealPrivateKey (keyring: KekKeyring, kid: string, pkcs8Pem: string): string {
  const { id, key } = keyring.newest
  const { iv, ciphertext, tag } = gcmSeal(key, Buffer.from(pkcs8Pem, 'utf8'), aad(id, kid))
  return [VERSION, id, ...[iv, ciphertext, tag].map((part) => part.toString('base64url'))].join('.')
}

/**
 * The PKCS#8 PEM sealed for `kid`, opened with whichever listed secret sealed it. Throws a
 * `KeySealError`: `KEY_SEAL_UNKNOWN_KEK` when no listed secret has the envelope's kek id,
 * `KEY_SEAL_INVALID` when the value is not an envelope, was changed, or belongs to another kid.
 */
export function openPrivateKey (keyring: KekKeyring, kid: string, envelope: string): string {
  const parsed = parse(envelope)
  if (parsed === undefined) {
    throw new KeySealError('KEY_SEAL_INVALID', `the stored private key of kid ${kid} is not a sealed key`)
  }
  const kek = keyring.byId.get(parsed.kekId)
  if (kek === undefined) {
    throw new KeySealError('KEY_SEAL_UNKNOWN_KEK',
      `the private key of kid ${kid} was sealed with key-encryption key ${parsed.kekId}, which is not listed`)
  }
  const clear = gcmOpen(kek.key, parsed, aad(parsed.kekId, kid))
  if (clear === undefined) {
    throw new KeySealError('KEY_SEAL_INVALID',
      `the sealed private key of kid ${kid} does not open with key-encryption key ${parsed.kekId}: ` +
      'it was changed, or copied from another key\'s row')
  }
  return clear.toString('utf8')
}

/** True unless `value` is an envelope sealed by the newest secret (clear PKCS#8 needs sealing too). */
export function needsReseal (keyring: KekKeyring, value: string): boolean {
  return parse(value)?.kekId !== keyring.newest.id
}
