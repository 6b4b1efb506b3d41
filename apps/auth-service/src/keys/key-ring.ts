import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { buildJwksDocument, type JwksDocument } from './jwks-document.js'
import type { KeyCustody, SigningKey } from './key-custody.js'
import type { KeyStore, StoredKey } from './key-store.js'

export type { SigningKey } from './key-custody.js'

/**
 * The in-memory view of the key store that requests use: the active signing key (its private half
 * opened by the custody and imported once per key, not per token; the configured algorithm's, or
 * while a change of algorithm waits for its prepublish period, the old one's) and the JWKS document
 * (serialized once). `refresh()` rebuilds
 * both only when the set of published keys or their states changed.
 */
export class KeyRing {
  readonly #store: KeyStore
  readonly #alg: SigningAlgorithm
  readonly #custody: KeyCustody
  #fingerprint = ''
  #signing: SigningKey | undefined
  #jwks: JwksDocument = buildJwksDocument([])

  constructor (store: KeyStore, alg: SigningAlgorithm, custody: KeyCustody) {
    this.#store = store
    this.#alg = alg
    this.#custody = custody
  }

  /** Re-reads the store; returns true when what is published or what signs has changed. */
  async refresh (): Promise<boolean> {
    const published = await this.#store.published()
    const fingerprint = published.map((key) => `${key.kid}:${key.state}`).join(',')
    if (fingerprint === this.#fingerprint) return false
    // During a change of algorithm the old algorithm's key signs until the new one's is due.
    const active = published.find((key) => key.state === 'active' && key.alg === this.#alg) ??
      published.find((key) => key.state === 'active')
    this.#signing = active ? await this.#importSigningKey(active) : undefined
    this.#jwks = buildJwksDocument(published.map((key) => key.publicJwk))
    this.#fingerprint = fingerprint
    return true
  }

  async #importSigningKey (stored: StoredKey): Promise<SigningKey> {
    if (this.#signing?.kid === stored.kid) return this.#signing
    if (!stored.privateKey) throw new Error(`active key ${stored.kid} has no private key`)
    return this.#custody.open(stored.kid, stored.alg, stored.privateKey)
  }

  signingKey (): SigningKey | undefined {
    return this.#signing
  }

  jwks (): JwksDocument {
    return this.#jwks
  }
}
