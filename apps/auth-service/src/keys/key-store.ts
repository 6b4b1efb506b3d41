import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { PublicJwk } from '@repo/contracts/jwks'
import type { SqlDatabase, SqlQueryable } from '@repo/service-kit/sql'
import type { NewSigningKey } from './generate-signing-key.js'
import {
  listKeyEvents, processInstanceId, recordKeyEvent, type KeyEventName, type RecordedKeyEvent
} from './key-events.js'

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
  /** What the key custody stored of the private half (a sealed envelope); null once retired. */
  privateKey: string | null
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
  private_key: string | null
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
    privateKey: row.private_key,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    activatedAt: row.activated_at,
    retiringAt: row.retiring_at,
    retiresAt: row.retires_at,
    retiredAt: row.retired_at,
    revokedAt: row.revoked_at
  }
}

/** Signing keys and their lifecycle state, in the database every process of the service shares. */
export class KeyStore {
  readonly #db: SqlDatabase
  /** Who the key history names as performing this store's transitions. */
  readonly #by: string
  /** The transaction this store is bound to, if any; otherwise statements go straight to `#db`. */
  readonly #tx: SqlQueryable | undefined

  /** `by` names the process in the key history: this one's instance id unless said otherwise (the keys CLI). */
  constructor (db: SqlDatabase, by: string = processInstanceId(), tx?: SqlQueryable) {
    this.#db = db
    this.#by = by
    this.#tx = tx
  }

  get #sql (): SqlQueryable {
    return this.#tx ?? this.#db
  }

  /**
   * Runs a transition's statement and, if it changed a key, records `events` in the same
   * transaction: a transition and its history row commit together or not at all.
   */
  async #transition (sql: string, params: Array<string | number | null>, kid: string, now: number,
    ...events: KeyEventName[]): Promise<void> {
    if (!this.#tx) throw new Error('a key transition runs inside KeyStore.transaction')
    if (await this.#tx.run(sql, params) === 0) return
    for (const event of events) await recordKeyEvent(this.#tx, event, kid, now, this.#by)
  }

  /** The key history: every transition any process recorded, oldest first. */
  events (): Promise<RecordedKeyEvent[]> {
    return listKeyEvents(this.#sql)
  }

  async #select (where: string, params: Array<string | number> = []): Promise<StoredKey[]> {
    const rows = await this.#sql.all<KeyRow>(`SELECT * FROM signing_keys ${where} ORDER BY created_at, kid`, params)
    return rows.map(fromRow)
  }

  /** Keys in the JWKS (every state but `retired`), oldest first. */
  published (): Promise<StoredKey[]> {
    return this.#select("WHERE state != 'retired'")
  }

  all (): Promise<StoredKey[]> {
    return this.#select('')
  }

  async find (kid: string): Promise<StoredKey | undefined> {
    return (await this.#select('WHERE kid = $1', [kid]))[0]
  }

  inState (state: KeyState, alg?: SigningAlgorithm): Promise<StoredKey[]> {
    return alg ? this.#select('WHERE state = $1 AND alg = $2', [state, alg]) : this.#select('WHERE state = $1', [state])
  }

  async active (alg: SigningAlgorithm): Promise<StoredKey | undefined> {
    return (await this.inState('active', alg))[0]
  }

  async insertActive (key: NewSigningKey, now: number): Promise<void> {
    await this.#transition(`INSERT INTO signing_keys
      (kid, alg, state, public_jwk, private_key, created_at, activated_at) VALUES ($1, $2, 'active', $3, $4, $5, $6)`,
    [key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateKey, now, now],
    key.kid, now, 'key_created', 'key_activated')
  }

  async insertNext (key: NewSigningKey, now: number, activatesAt: number): Promise<void> {
    await this.#transition(`INSERT INTO signing_keys
      (kid, alg, state, public_jwk, private_key, created_at, activates_at) VALUES ($1, $2, 'next', $3, $4, $5, $6)`,
    [key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateKey, now, activatesAt], key.kid, now, 'key_created')
  }

  /** `next` → `active`. */
  async activate (kid: string, now: number): Promise<void> {
    await this.#transition(`UPDATE signing_keys SET state = 'active', activated_at = $1
      WHERE kid = $2 AND state = 'next'`, [now, kid], kid, now, 'key_activated')
  }

  /** `active` → `retiring`, leaving the JWKS at `retiresAt`. */
  async startRetiring (kid: string, now: number, retiresAt: number): Promise<void> {
    await this.#transition(`UPDATE signing_keys SET state = 'retiring', retiring_at = $1, retires_at = $2
      WHERE kid = $3 AND state = 'active'`, [now, retiresAt, kid], kid, now, 'key_retiring')
  }

  /** Any state → `retired`: out of the JWKS, private key destroyed. `revoked` marks an emergency. */
  async retire (kid: string, now: number, revoked: boolean): Promise<void> {
    await this.#transition(`UPDATE signing_keys SET state = 'retired', private_key = NULL, retired_at = $1,
      revoked_at = $2 WHERE kid = $3 AND state != 'retired'`,
    [now, revoked ? now : null, kid], kid, now, revoked ? 'key_revoked' : 'key_retired')
  }

  /**
   * Replaces what is stored of `kid`'s private half (a reseal), if it still is `expected` and the key
   * is not retired. Not a lifecycle transition: the key history does not record it.
   */
  async replacePrivateKey (kid: string, expected: string, replacement: string): Promise<boolean> {
    if (!this.#tx) throw new Error('a reseal runs inside KeyStore.transaction')
    return await this.#tx.run(`UPDATE signing_keys SET private_key = $1
      WHERE kid = $2 AND private_key = $3 AND state != 'retired'`, [replacement, kid, expected]) === 1
  }

  /**
   * Runs `work` on a store bound to one transaction that holds the signing-keys lock: among all
   * processes on this database (replicas, the keys CLI), one at a time.
   */
  transaction<T> (work: (keys: KeyStore) => Promise<T>): Promise<T> {
    if (this.#tx) throw new Error('already inside a key-store transaction')
    return this.#db.transaction('signing_keys', (tx) => work(new KeyStore(this.#db, this.#by, tx)))
  }
}
