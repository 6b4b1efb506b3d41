import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import type { ClientAuthMethod } from '@repo/contracts/oauth'

/** A registered OAuth 2.0 client, as the token endpoint sees it (never with its secret). */
export interface Client {
  clientId: string
  authMethod: ClientAuthMethod
  /** `private_key_jwt`: the client's public keys, inline... */
  jwks: { keys: object[] } | undefined
  /** ...or where it publishes them. */
  jwksUri: string | undefined
  /** The scopes it may ask for, space-delimited. */
  scope: string
  /** The `aud` of the access tokens it gets. */
  audience: string
  grantTypes: string[]
  createdAt: number
}

interface ClientRow {
  client_id: string
  auth_method: ClientAuthMethod
  secret_hash: string | null
  jwks: string | null
  jwks_uri: string | null
  scope: string
  audience: string
  grant_types: string
  created_at: number
}

export class DuplicateClientError extends Error {
  override name = 'DuplicateClientError'
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest()
/** Compared against when a client has no secret, so that case costs the same. */
const NO_SECRET = hashSecret(randomBytes(32).toString('base64url'))

function fromRow (row: ClientRow): Client {
  return {
    clientId: row.client_id,
    authMethod: row.auth_method,
    jwks: row.jwks ? JSON.parse(row.jwks) as { keys: object[] } : undefined,
    jwksUri: row.jwks_uri ?? undefined,
    scope: row.scope,
    audience: row.audience,
    grantTypes: row.grant_types.split(' '),
    createdAt: row.created_at
  }
}

export type NewClient = Omit<Client, 'createdAt'>

/**
 * Registered clients. A client secret is 256 random bits, shown once: it is stored as its SHA-256
 * (a slow password hash buys nothing against a secret nobody can guess, and would make every token
 * request cost one) and compared in constant time.
 */
export class ClientStore {
  readonly #db: DatabaseSync

  constructor (db: DatabaseSync) {
    this.#db = db
  }

  /** Registers a client; for the secret methods, returns the secret, which is stored only as a hash. */
  add (client: NewClient, now: number): { secret: string | undefined } {
    const secret = client.authMethod === 'client_secret_basic' || client.authMethod === 'client_secret_post'
      ? randomBytes(32).toString('base64url')
      : undefined
    const result = this.#db.prepare(
      `INSERT INTO clients (client_id, auth_method, secret_hash, jwks, jwks_uri, scope, audience, grant_types, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING`
    ).run(client.clientId, client.authMethod, secret ? hashSecret(secret).toString('base64url') : null,
      client.jwks ? JSON.stringify(client.jwks) : null, client.jwksUri ?? null, client.scope, client.audience,
      client.grantTypes.join(' '), now)
    if (result.changes === 0) throw new DuplicateClientError(`a client ${client.clientId} already exists`)
    return { secret }
  }

  find (clientId: string): Client | undefined {
    const row = this.#db.prepare('SELECT * FROM clients WHERE client_id = ?').get(clientId) as ClientRow | undefined
    return row ? fromRow(row) : undefined
  }

  list (): Client[] {
    return (this.#db.prepare('SELECT * FROM clients ORDER BY client_id').all() as unknown as ClientRow[]).map(fromRow)
  }

  remove (clientId: string): boolean {
    return this.#db.prepare('DELETE FROM clients WHERE client_id = ?').run(clientId).changes > 0
  }

  /** True when `secret` is this client's; the same work whether or not it has one. */
  verifySecret (clientId: string, secret: string): boolean {
    const row = this.#db.prepare('SELECT secret_hash FROM clients WHERE client_id = ?').get(clientId) as { secret_hash: string | null } | undefined
    const stored = row?.secret_hash ? Buffer.from(row.secret_hash, 'base64url') : undefined
    const matches = timingSafeEqual(hashSecret(secret), stored ?? NO_SECRET)
    return stored !== undefined && matches
  }

  /** Records a client assertion's `jti` until it expires; false if it was seen before (a replay). */
  rememberAssertion (clientId: string, jti: string, expiresAt: number, now: number): boolean {
    this.#db.prepare('DELETE FROM client_assertions WHERE expires_at < ?').run(now)
    const result = this.#db.prepare('INSERT INTO client_assertions (client_id, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(clientId, jti, expiresAt)
    return result.changes > 0
  }
}
