import { importPKCS8, type CryptoKey } from 'jose'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { buildJwksDocument, type JwksDocument } from './jwks-document.js'
import type { KeyStore, StoredKey } from './key-store.js'

export interface SigningKey {
  kid: string
  alg: SigningAlgorithm
  key: CryptoKey
}

/**
 * The in-memory view of the key store that requests use: the active signing key (private key
 * imported once; the configured algorithm's, or while a change of algorithm waits for its
 * prepublish period, the old one's) and the JWKS document (serialized once). `refresh()` rebuilds
 * both only when the set of published keys or their states changed.
 */
export class KeyRing {
  readonly #store: KeyStore
  readonly #alg: SigningAlgorithm
  #fingerprint = ''
  #signing: SigningKey | undefined
  #jwks: JwksDocument = buildJwksDocument([])

  constructor (store: KeyStore, alg: SigningAlgorithm) {
    this.#store = store
    this.#alg = alg
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
    if (!stored.privatePkcs8) throw new Error(`active key ${stored.kid} has no private key`)
    return { kid: stored.kid, alg: stored.alg, key: await importPKCS8(stored.privatePkcs8, stored.alg) }
  }

  signingKey (): SigningKey | undefined {
    return this.#signing
  }

  jwks (): JwksDocument {
    return this.#jwks
  }
}
