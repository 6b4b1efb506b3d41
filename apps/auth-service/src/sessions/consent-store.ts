import type { SqlDatabase } from '@repo/service-kit/sql'

/** What each user allowed each third-party client: asked once, remembered until revoked. */
export class ConsentStore {
  readonly #db: SqlDatabase

  constructor (db: SqlDatabase) {
    this.#db = db
  }

  /** Records that `userId` allows `clientId` the scopes of `scope`, on top of what it allowed before. */
  async grant (userId: string, clientId: string, scope: string, now: number): Promise<void> {
    const granted = new Set([...(await this.#granted(userId, clientId)), ...scope.split(' ').filter(Boolean)])
    await this.#db.run(
      `INSERT INTO consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at`,
      [userId, clientId, [...granted].join(' '), now])
  }

  /** True when `userId` has allowed `clientId` every scope of `scope`. */
  async covers (userId: string, clientId: string, scope: string): Promise<boolean> {
    const granted = await this.#granted(userId, clientId)
    return scope.split(' ').filter(Boolean).every((value) => granted.has(value))
  }

  async #granted (userId: string, clientId: string): Promise<Set<string>> {
    const row = await this.#db.get<{ scope: string }>(
      'SELECT scope FROM consents WHERE user_id = $1 AND client_id = $2', [userId, clientId])
    return new Set(row?.scope.split(' ').filter(Boolean) ?? [])
  }
}
