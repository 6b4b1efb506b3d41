import { randomUUID } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import type { Role } from '@repo/contracts/scopes'
import { hashPassword, verifyPassword } from './password-hash.js'

export interface User {
  id: string
  userName: string
  role: Role
}

interface UserRow {
  id: string
  user_name: string
  password_hash: string
  role: Role
}

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError'
}

/** Users and their password hashes, in the service's SQLite database. */
export class UserStore {
  readonly #db: DatabaseSync
  /** Hash of a random password: unknown users are checked against it, so they cost a full scrypt too. */
  readonly #decoyHash: Promise<string>

  constructor (db: DatabaseSync) {
    this.#db = db
    this.#decoyHash = hashPassword(randomUUID())
  }

  count (): number {
    const row = this.#db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }
    return row.n
  }

  /** Adds a user; throws `DuplicateUserError` when the name is taken. */
  async add (userName: string, password: string, role: Role): Promise<User> {
    const user = { id: randomUUID(), userName, role }
    const passwordHash = await hashPassword(password)
    const result = this.#db.prepare(
      'INSERT INTO users (id, user_name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_name) DO NOTHING'
    ).run(user.id, userName, passwordHash, role, Date.now())
    if (result.changes === 0) throw new DuplicateUserError(`user "${userName}" already exists`)
    return user
  }

  /** The user if the password matches, otherwise `null`; the same work is done either way. */
  async verifyCredentials (userName: string, password: string): Promise<User | null> {
    const row = this.#db.prepare('SELECT id, user_name, password_hash, role FROM users WHERE user_name = ?')
      .get(userName) as UserRow | undefined
    const matches = await verifyPassword(password, row?.password_hash ?? await this.#decoyHash)
    if (!row || !matches) return null
    return { id: row.id, userName: row.user_name, role: row.role }
  }
}
