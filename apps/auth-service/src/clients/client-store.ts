import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ClientAuthMethod } from '@repo/contracts/oauth'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { ANY_OF_JSON_TEXT, perTurnBatches } from '../db/per-turn-batches.js'

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
  /** The name the login and consent pages show; the client_id when none was given. */
  clientName: string | undefined
  /** Where authorization responses may go: compared exactly (RFC 9700 §2.1). */
  redirectUris: string[]
  /** Where RP-initiated logout may send the browser afterwards. */
  postLogoutRedirectUris: string[]
  /** A client of another party: the user is asked to consent; first-party clients skip that step. */
  thirdParty: boolean
  /** May start an authorization only through a pushed request (RFC 9126 §5, FAPI 2.0). */
  requirePar: boolean
  /**
   * `--require-dpop` (RFC 9449 §5.2 `dpop_bound_access_tokens`): every grant needs a DPoP proof; a
   * bearer token is never issued to it.
   */
  dpopBoundAccessTokens: boolean
  /** `--ssf-receiver`: a Shared Signals receiver, which may create and poll streams (routes/ssf). */
  ssfReceiver: boolean
  /** RFC 8707: the resources (absolute URIs) its tokens may be asked for with `resource`, besides `audience`. */
  resources: string[]
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
  client_name: string | null
  redirect_uris: string
  post_logout_redirect_uris: string
  third_party: number
  require_par: number
  dpop_bound_access_tokens: number
  ssf_receiver: number
  resources: string
  created_at: number
}

/** A client looked up with the secret a request presented for it. */
export interface SecretCheck {
  client: Client | undefined
  secretMatches: boolean
}

export class DuplicateClientError extends Error {
  override name = 'DuplicateClientError'
  readonly code = 'DUPLICATE_CLIENT'
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest()
/** Compared against when a client has no secret, so that case costs the same. */
const NO_SECRET = hashSecret(randomBytes(32).toString('base64url'))

/** Whether `secret` hashes to `stored` (base64url); compared against NO_SECRET when there is none. */
function secretMatches (stored: string | null | undefined, secret: string): boolean {
  const expected = stored ? Buffer.from(stored, 'base64url') : undefined
  const matches = timingSafeEqual(hashSecret(secret), expected ?? NO_SECRET)
  return expected !== undefined && matches
}

function fromRow (row: ClientRow): Client {
  return {
    clientId: row.client_id,
    authMethod: row.auth_method,
    jwks: row.jwks ? JSON.parse(row.jwks) as { keys: object[] } : undefined,
    jwksUri: row.jwks_uri ?? undefined,
    scope: row.scope,
    audience: row.audience,
    grantTypes: row.grant_types.split(' '),
    clientName: row.client_name ?? undefined,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    thirdParty: row.third_party === 1,
    requirePar: row.require_par === 1,
    dpopBoundAccessTokens: row.dpop_bound_access_tokens === 1,
    ssfReceiver: row.ssf_receiver === 1,
    resources: JSON.parse(row.resources) as string[],
    createdAt: row.created_at
  }
}

/** A client to register; the browser-login members default to none (a machine client). */
export type NewClient = Omit<Client, 'createdAt' | OptionalMember> & Partial<Pick<Client, OptionalMember>>
type OptionalMember = 'clientName' | 'redirectUris' | 'postLogoutRedirectUris' | 'thirdParty' | 'requirePar'
  | 'dpopBoundAccessTokens'
  | 'ssfReceiver' | 'resources'

/**
 * On PostgreSQL, the lookups of clients asked for in one turn of the event loop (the token requests that
 * arrived together) as one statement; each is still read when asked for, never cached.
 */
function rowsInBatches (db: SqlDatabase): (clientId: string) => Promise<ClientRow | undefined> {
  const batches = perTurnBatches<string, ClientRow | undefined>(async (clientIds) => {
    const rows = await db.all<ClientRow>(`SELECT * FROM clients WHERE client_id = ${ANY_OF_JSON_TEXT}`,
      [JSON.stringify(clientIds)])
    const byId = new Map(rows.map((row) => [row.client_id, row]))
    return clientIds.map((clientId) => byId.get(clientId))
  })
  return (clientId) => batches.load(clientId)
}

/**
 * Registered clients. A client secret is 256 random bits, shown once: it is stored as its SHA-256
 * (a slow password hash buys nothing against a secret nobody can guess, and would make every token
 * request cost one) and compared in constant time.
 */
export class ClientStore {
  readonly #db: SqlDatabase
  /** The row of one client, if it exists (batched on PostgreSQL). */
  readonly #rowOf: (clientId: string) => Promise<ClientRow | undefined>

  constructor (db: SqlDatabase) {
    this.#db = db
    this.#rowOf = db.dialect === 'postgres'
      ? rowsInBatches(db)
      : (clientId) => db.get<ClientRow>('SELECT * FROM clients WHERE client_id = $1', [clientId])
  }

  /** Registers a client; for the secret methods, returns the secret, which is stored only as a hash. */
  async add (client: NewClient, now: number): Promise<{ secret: string | undefined }> {
    const secret = client.authMethod === 'client_secret_basic' || client.authMethod === 'client_secret_post'
      ? randomBytes(32).toString('base64url')
      : undefined
    const changes = await this.#db.run(
      `INSERT INTO clients
         (client_id, auth_method, secret_hash, jwks, jwks_uri, scope, audience, grant_types, created_at,
          client_name, redirect_uris, post_logout_redirect_uris, third_party, require_par, dpop_bound_access_tokens,
          ssf_receiver, resources)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
          $16, $17)
       ON CONFLICT (client_id) DO NOTHING`,
      [client.clientId, client.authMethod, secret ? hashSecret(secret).toString('base64url') : null,
        client.jwks ? JSON.stringify(client.jwks) : null, client.jwksUri ?? null, client.scope, client.audience,
        client.grantTypes.join(' '), now, client.clientName ?? null, JSON.stringify(client.redirectUris ?? []),
        JSON.stringify(client.postLogoutRedirectUris ?? []), client.thirdParty === true ? 1 : 0,
        client.requirePar === true ? 1 : 0, client.dpopBoundAccessTokens === true ? 1 : 0,
        client.ssfReceiver === true ? 1 : 0, JSON.stringify(client.resources ?? [])])
    if (changes === 0) throw new DuplicateClientError(`a client ${client.clientId} already exists`)
    return { secret }
  }

  async find (clientId: string): Promise<Client | undefined> {
    const row = await this.#rowOf(clientId)
    return row ? fromRow(row) : undefined
  }

  async list (): Promise<Client[]> {
    return (await this.#db.all<ClientRow>('SELECT * FROM clients ORDER BY client_id')).map(fromRow)
  }

  /** The redirect URIs of every public client (auth method `none`): where browser apps live. */
  async publicRedirectUris (): Promise<string[]> {
    const rows = await this.#db.all<Pick<ClientRow, 'redirect_uris'>>(
      'SELECT redirect_uris FROM clients WHERE auth_method = $1', ['none'])
    return rows.flatMap((row) => JSON.parse(row.redirect_uris) as string[])
  }

  async remove (clientId: string): Promise<boolean> {
    return await this.#db.run('DELETE FROM clients WHERE client_id = $1', [clientId]) > 0
  }

  /**
   * The client `clientId` names, and whether `secret` is its secret: one statement, and the same work
   * (a SHA-256 and a constant-time comparison) whether the client exists, has a secret, or neither.
   * Read from the database on every call, never cached: a removed client is refused at once by every
   * replica.
   */
  async authenticate (clientId: string, secret: string): Promise<SecretCheck> {
    const row = await this.#rowOf(clientId)
    return { client: row ? fromRow(row) : undefined, secretMatches: secretMatches(row?.secret_hash, secret) }
  }

  /** True when `secret` is this client's; the same work whether or not it has one. */
  async verifySecret (clientId: string, secret: string): Promise<boolean> {
    const row = await this.#db.get<{ secret_hash: string | null }>(
      'SELECT secret_hash FROM clients WHERE client_id = $1',
      [clientId]
    )
    return secretMatches(row?.secret_hash, secret)
  }

  /**
   * Records a client assertion's `jti` until it expires; false if it was seen before (a replay). An
   * expired row the purge (maintenance/) has not reached yet is taken over: one statement per assertion.
   */
  async rememberAssertion (clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    const changes = await this.#db.run(
      `INSERT INTO client_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
       WHERE client_assertions.expires_at < $4`,
      [clientId, jti, expiresAt, now]
    )
    return changes > 0
  }
}
