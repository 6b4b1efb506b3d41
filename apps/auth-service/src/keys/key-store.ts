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

/** A key as stored; times are milliseconds since the epoch. */
export interface StoredKey {
  kid: string
  alg: SigningAlgorithm
  state: KeyState
  publicJwk: PublicJwk
  privatePkcs8: string | null
  createdAt: number
  /** For a `next` key: when it is due to start signing. */
  activatesAt: number | null
  activatedAt: number | null
  retiringAt: number | null
  /** For a `retiring` key: when it is due to leave the JWKS. */
  retiresAt: number | null
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
  activates_at: number | null
  activated_at: number | null
  retiring_at: number | null
  retires_at: number | null
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
    activatesAt: row.activates_at,
    activatedAt: row.activated_at,
    retiringAt: row.retiring_at,
    retiresAt: row.retires_at,
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

  #select (where: string, ...params: Array<string | number>): StoredKey[] {
    const rows = this.#db.prepare(`SELECT * FROM signing_keys ${where} ORDER BY created_at, kid`).all(...params) as unknown as KeyRow[]
    return rows.map(fromRow)
  }

  /** Keys in the JWKS (every state but `retired`), oldest first. */
  published (): StoredKey[] {
    return this.#select("WHERE state != 'retired'")
  }

  all (): StoredKey[] {
    return this.#select('')
  }

  find (kid: string): StoredKey | undefined {
    return this.#select('WHERE kid = ?', kid)[0]
  }

  inState (state: KeyState, alg?: SigningAlgorithm): StoredKey[] {
    return alg ? this.#select('WHERE state = ? AND alg = ?', state, alg) : this.#select('WHERE state = ?', state)
  }

  active (alg: SigningAlgorithm): StoredKey | undefined {
    return this.inState('active', alg)[0]
  }

  insertActive (key: NewSigningKey, now: number): void {
    this.#db.prepare(
      "INSERT INTO signing_keys (kid, alg, state, public_jwk, private_pkcs8, created_at, activated_at) VALUES (?, ?, 'active', ?, ?, ?, ?)"
    ).run(key.kid, key.alg, JSON.stringify(key.publicJwk), key.privatePkcs8, now, now)
  }

  insertNext (key: NewSigningKey, now: number, activatesAt: number): void {
    this.#db.prepare(
      "INSERT INTO signing_keys (kid, alg, state, public_jwk, private_pkcs8, created_at, activates_at) VALUES (?, ?, 'next', ?, ?, ?, ?)"
    ).run(key.kid, key.alg, JSON.stringify(key.publicJwk), key.privatePkcs8, now, activatesAt)
  }

  /** `next` → `active`. */
  activate (kid: string, now: number): void {
    this.#db.prepare("UPDATE signing_keys SET state = 'active', activated_at = ? WHERE kid = ? AND state = 'next'").run(now, kid)
  }

  /** `active` → `retiring`, leaving the JWKS at `retiresAt`. */
  startRetiring (kid: string, now: number, retiresAt: number): void {
    this.#db.prepare("UPDATE signing_keys SET state = 'retiring', retiring_at = ?, retires_at = ? WHERE kid = ? AND state = 'active'")
      .run(now, retiresAt, kid)
  }

  /** Any state → `retired`: out of the JWKS, private key destroyed. `revoked` marks an emergency. */
  retire (kid: string, now: number, revoked: boolean): void {
    this.#db.prepare(
      "UPDATE signing_keys SET state = 'retired', private_pkcs8 = NULL, retired_at = ?, revoked_at = ? WHERE kid = ? AND state != 'retired'"
    ).run(now, revoked ? now : null, kid)
  }

  /** Runs `work` holding SQLite's write lock: among processes sharing the DATA_DIR, one at a time. */
  transaction<T> (work: () => T): T {
    return inWriteTransaction(this.#db, work)
  }

  /** Changes whenever another connection commits: a cheap way to notice a key change made elsewhere. */
  dataVersion (): number {
    const row = this.#db.prepare('PRAGMA data_version').get() as { data_version: number }
    return row.data_version
  }
}
