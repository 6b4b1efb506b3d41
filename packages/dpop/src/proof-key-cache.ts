import { createPublicKey, hash, type KeyObject } from 'node:crypto'
import type { ProofHeader } from './proof-header.js'
import { keyMaterialProblem } from './proof-jwk.js'

/** A proof key ready to verify with, and its RFC 7638 thumbprint (`jkt`). */
export interface ProofKey {
  key: KeyObject
  jkt: string
}

/** A header that passed its checks, with the key it names, imported. */
export interface RememberedHeader {
  header: ProofHeader
  key: ProofKey
}

/**
 * RSA keys below 2048 bits are refused (NIST SP 800-131A); above 8192 bits, or with a public exponent
 * over 64 bits (OpenSSL's own ceiling for large moduli), each verification would cost a client's
 * server many times what it costs the client.
 */
const RSA_MIN_BITS = 2048
const RSA_MAX_BITS = 8192
const RSA_MAX_EXPONENT = 2n ** 64n

/**
 * The imported public keys of the proofs seen lately, by their thumbprint input (`canonicalJwk`), so a
 * client's repeated proofs pay the import, the key checks and the thumbprint once. Least recently used
 * first out (roughly: a key counts as used again once half the cache is newer than it); at most
 * `maxEntries` keys (an entry is a JWK string and a KeyObject, under 2 KiB even for an RSA-8192 key: the
 * default 1000 stay under 2 MiB). It holds keys only, never a verdict on a proof:
 * which algorithm a key verifies, and the signature, are checked on every proof.
 *
 * Beside the keys, the headers that named them: a client's proofs share one encoded header, whose
 * checks (`checkProofHeader`) depend on its text alone, so a header seen with a key that imported is
 * not decoded again, and answers with its key at once (two lookups by long strings cost measurable
 * microseconds on the hot path). At most `maxEntries` of those too, the oldest out first.
 */
export class ProofKeyCache {
  /** `stored`: the entry's number in the count of entries ever stored (or moved to the back). */
  readonly #entries = new Map<string, { key: ProofKey, stored: number }>()
  #stored = 0
  readonly #headers = new Map<string, RememberedHeader>()
  readonly #maxEntries: number

  constructor ({ maxEntries = 1000 }: { maxEntries?: number } = {}) {
    this.#maxEntries = maxEntries
  }

  get size (): number {
    return this.#entries.size
  }

  has (canonicalJwk: string): boolean {
    return this.#entries.has(canonicalJwk)
  }

  /** A header that passed its checks, and its key, by the header's exact encoded text. */
  header (encodedHeader: string): RememberedHeader | undefined {
    return this.#headers.get(encodedHeader)
  }

  /** Remembers a header that passed its checks with the key it names (`get` imported it). */
  rememberHeader (encodedHeader: string, remembered: RememberedHeader): void {
    if (this.#headers.size >= this.#maxEntries) {
      const oldest = this.#headers.keys().next()
      if (oldest.done !== true) this.#headers.delete(oldest.value)
    }
    this.#headers.set(encodedHeader, remembered)
  }

  /** The key a canonical JWK describes, imported once; a string reason when it is no acceptable key. */
  get (canonicalJwk: string): ProofKey | string {
    const cached = this.#entries.get(canonicalJwk)
    if (cached !== undefined) {
      // Least recently used, roughly: moved to the back only once half the cache is newer than it, not on
      // every proof (a delete and an insert per request, for an order that rarely matters).
      if (this.#stored - cached.stored >= this.#maxEntries / 2) {
        this.#entries.delete(canonicalJwk)
        cached.stored = ++this.#stored
        this.#entries.set(canonicalJwk, cached)
      }
      return cached.key
    }
    const imported = importProofKey(canonicalJwk)
    if (typeof imported === 'string') return imported
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
    this.#entries.set(canonicalJwk, { key: imported, stored: ++this.#stored })
    return imported
  }
}

function importProofKey (canonicalJwk: string): ProofKey | string {
  const members = JSON.parse(canonicalJwk) as Record<string, string>
  const problem = keyMaterialProblem(members)
  if (problem !== undefined) return problem
  let key: KeyObject
  try {
    key = createPublicKey({ key: members, format: 'jwk' })
  } catch {
    return 'the jwk is not a valid public key'
  }
  if (key.asymmetricKeyType === 'rsa') {
    const { modulusLength = 0, publicExponent = 0n } = key.asymmetricKeyDetails ?? {}
    if (modulusLength < RSA_MIN_BITS || modulusLength > RSA_MAX_BITS) {
      return `an RSA key of ${modulusLength} bits (${RSA_MIN_BITS} to ${RSA_MAX_BITS} are accepted)`
    }
    if (publicExponent > RSA_MAX_EXPONENT) return 'an RSA public exponent over 64 bits'
  }
  return { key, jkt: hash('sha256', canonicalJwk, 'base64url') }
}
