import type { SqlDatabase } from '@repo/service-kit/sql'
import { hashHandle, newHandle } from '../crypto/opaque-handle.js'
import type { AuthorizationParameters } from './authorization-parameters.js'

/** An authorization request waiting: pushed by its client (RFC 9126), or for the login or consent page. */
export interface PendingAuthorization {
  parameters: AuthorizationParameters
  /** Pushed through PAR: its id is a `request_uri`, usable once. */
  pushed: boolean
  /** Milliseconds since the epoch. */
  createdAt: number
  expiresAt: number
}

interface PendingRow {
  parameters: string
  pushed: number
  created_at: number
  expires_at: number
}

/**
 * Pending authorization requests, stored in the database so that whichever replica the browser
 * reaches next can continue one. Each is named by a random id (a PAR `request_uri`'s tail, or the
 * `interaction` of the login page) and stored by its hash.
 */
export class PendingAuthorizationStore {
  readonly #db: SqlDatabase

  constructor (db: SqlDatabase) {
    this.#db = db
  }

  /**
   * Stores a request for `lifetimeMs`; returns its id. `find` ignores expired requests, which the purge
   * deletes (maintenance/retention-rules.ts).
   */
  async create (
    parameters: AuthorizationParameters, { pushed, lifetimeMs }: { pushed: boolean, lifetimeMs: number }, now: number
  ): Promise<string> {
    const id = newHandle()
    await this.#db.run(
      `INSERT INTO authorization_requests (id_hash, client_id, parameters, pushed, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [hashHandle(id), parameters.clientId, JSON.stringify(parameters), pushed ? 1 : 0, now, now + lifetimeMs])
    return id
  }

  /** The request `id` names, if it has not expired. */
  async find (id: string, now: number): Promise<PendingAuthorization | undefined> {
    const row = await this.#db.get<PendingRow>(
      'SELECT parameters, pushed, created_at, expires_at FROM authorization_requests WHERE id_hash = $1',
      [hashHandle(id)])
    if (!row || now >= row.expires_at) return undefined
    return {
      parameters: JSON.parse(row.parameters) as AuthorizationParameters,
      pushed: row.pushed === 1,
      createdAt: row.created_at,
      expiresAt: row.expires_at
    }
  }

  /** Removes the request `id` names; true if this call removed it (so of two callers, one wins). */
  async remove (id: string): Promise<boolean> {
    return await this.#db.run('DELETE FROM authorization_requests WHERE id_hash = $1', [hashHandle(id)]) > 0
  }
}
