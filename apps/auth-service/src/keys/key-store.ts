import type { DatabaseSync } from 'node:sqlite'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { PublicJwk } from '@repo/contracts/jwks'
import { inWriteTransaction } from '@repo/service-kit/sqlite'
import type { NewSigningKey } from './generate-signing-key.js'

/**
 * `next`: published, not yet signing. `active`: signs (one per algorithm). `retiring`: published,
 * verify-only. `retired`: unpublished, private half destroyed.
 */
export type KeyState = 'next' | 'active' | 'retiring' | 'retired'

export interface StoredKey {
  kid: string
  alg: SigningAlgorithm
  state: KeyState
  publicJwk: PublicJwk
  privatePkcs8: string | null
  createdAt: number
  activatedAt: number | null
  retiringAt: number | null
  retiredAt: number | null
  revokedAt: number | null
}

interface KeyRow {
  kid: string
  alg: SigningAlgorithm
  state: KeyState
  public_jwk: string
  private_pkcs8: string | null
  created_at: number
  activated_at: number | null
  retiring_at: number | null
  retired_at: number | null
  revoked_at: number | null
}

function fromRow (row: KeyRow): StoredKey {
  return {
    kid: row.kid,
    alg: row.alg,
    state: row.state,
    publicJwk: JSON.parse(row.public_jwk) as PublicJwk,
    privatePkcs8: row.private_pkcs8,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    retiringAt: row.retiring_at,
    retiredAt: row.retired_at,
    revokedAt: row.revoked_at
  }
}

/** Signing keys and their lifecycle state, persisted in SQLite so every process on a DATA_DIR agrees. */
export class KeyStore {
  readonly #db: DatabaseSync

  constructor (db: DatabaseSync) {
    this.#db = db
  }

  /** Keys in the JWKS (every state but `retired`), oldest first. */
  published (): StoredKey[] {
    const rows = this.#db.prepare(
      "SELECT * FROM signing_keys WHERE state != 'retired' ORDER BY created_at, kid"
    ).all() as unknown as KeyRow[]
    return rows.map(fromRow)
  }

  all (): StoredKey[] {
    const rows = this.#db.prepare('SELECT * FROM signing_keys ORDER BY created_at, kid').all() as unknown as KeyRow[]
    return rows.map(fromRow)
  }

  find (kid: string): StoredKey | undefined {
    const row = this.#db.prepare('SELECT * FROM signing_keys WHERE kid = ?').get(kid) as KeyRow | undefined
    return row && fromRow(row)
  }

  active (alg: SigningAlgorithm): StoredKey | undefined {
    const row = this.#db.prepare("SELECT * FROM signing_keys WHERE alg = ? AND state = 'active'").get(alg) as KeyRow | undefined
    return row && fromRow(row)
  }

  insert (key: NewSigningKey, state: KeyState, now: number): void {
    this.#db.prepare(
      'INSERT INTO signing_keys (kid, alg, state, public_jwk, private_pkcs8, created_at, activated_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
    ).run(key.kid, key.alg, state, JSON.stringify(key.publicJwk), key.privatePkcs8, now, state === 'active' ? now : null)
  }

  /**
   * Makes sure `alg` has an active key. The key is generated outside the transaction (it is slow
   * and async); inside, a process that lost the race to another one keeps the winner's key.
   */
  async ensureActive (alg: SigningAlgorithm, generate: () => Promise<NewSigningKey>, now: number): Promise<StoredKey> {
    const existing = this.active(alg)
    if (existing) return existing
    const candidate = await generate()
    return inWriteTransaction(this.#db, () => {
      const winner = this.active(alg)
      if (winner) return winner
      this.insert(candidate, 'active', now)
      return this.active(alg) as StoredKey
    })
  }

  /** Changes whenever another connection commits: a cheap way to notice a key change made elsewhere. */
  dataVersion (): number {
    const row = this.#db.prepare('PRAGMA data_version').get() as { data_version: number }
    return row.data_version
  }
}
