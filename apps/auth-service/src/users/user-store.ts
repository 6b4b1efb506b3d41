import { randomUUID } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import type { Role } from '@repo/contracts/scopes'
import { inWriteTransaction } from '@repo/service-kit/sqlite'
import { hashPassword, verifyPassword } from './password-hash.js'

export interface User {
  id: string
  userName: string
  role: Role
}

/** A user as `list` shows it: never with the password hash. */
export interface ListedUser extends User {
  /** Milliseconds since the epoch. */
  createdAt: number
}

/** How passwords are hashed and checked; a parameter so a test can watch the calls. */
export interface PasswordHashing {
  hash: (password: string) => Promise<string>
  verify: (password: string, stored: string) => Promise<boolean>
}

export const SCRYPT_HASHING: PasswordHashing = { hash: hashPassword, verify: verifyPassword }

interface UserRow {
  id: string
  user_name: string
  password_hash: string
  role: Role
  created_at: number
}

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError'
  /** The name already taken, as stored: `Jane` when `jane` was asked for. */
  readonly existing: string

  constructor (existing: string) {
    super(`a user named ${existing} already exists`)
    this.existing = existing
  }
}

const toUser = (row: UserRow): User => ({ id: row.id, userName: row.user_name, role: row.role })

/**
 * Users and their password hashes, in the service's SQLite database. Names are unique regardless of
 * case (a rule the schema enforces too); lookups for login are exact.
 */
export class UserStore {
  readonly #db: DatabaseSync
  readonly #hashing: PasswordHashing
  /** Hash of a random password: unknown users are checked against it, so they cost a full scrypt too. */
  readonly #decoyHash: Promise<string>

  constructor (db: DatabaseSync, hashing: PasswordHashing = SCRYPT_HASHING) {
    this.#db = db
    this.#hashing = hashing
    this.#decoyHash = hashing.hash(randomUUID())
  }

  count (): number {
    const row = this.#db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }
    return row.n
  }

  list (): ListedUser[] {
    const rows = this.#db.prepare('SELECT * FROM users ORDER BY created_at, user_name').all() as unknown as UserRow[]
    return rows.map((row) => ({ ...toUser(row), createdAt: row.created_at }))
  }

  /** The user named exactly `userName`. */
  find (userName: string): User | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE user_name = ?').get(userName) as UserRow | undefined
    return row && toUser(row)
  }

  /** The user whose name equals `userName` regardless of case: the one a new `userName` would clash with. */
  /** The user with this id (a token's `sub`), if it still exists. */
  findById (id: string): User | undefined {
    const row = this.#db.prepare('SELECT id, user_name, password_hash, role, created_at FROM users WHERE id = ?').get(id) as UserRow | undefined
    return row ? toUser(row) : undefined
  }

  findIgnoringCase (userName: string): User | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE user_name = ? COLLATE NOCASE ORDER BY created_at LIMIT 1')
      .get(userName) as UserRow | undefined
    return row && toUser(row)
  }

  /** Adds a user; throws `DuplicateUserError` when the name is taken in any case. */
  async add (userName: string, password: string, role: Role): Promise<User> {
    const user = { id: randomUUID(), userName, role }
    const passwordHash = await this.#hashing.hash(password)
    // Check and insert under the write lock, so another process cannot slip the same name in between.
    return inWriteTransaction(this.#db, () => {
      const existing = this.findIgnoringCase(userName)
      if (existing) throw new DuplicateUserError(existing.userName)
      this.#db.prepare('INSERT INTO users (id, user_name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(user.id, userName, passwordHash, role, Date.now())
      return user
    })
  }

  /** Removes the user named exactly `userName`; false if there is none. */
  remove (userName: string): boolean {
    return this.#db.prepare('DELETE FROM users WHERE user_name = ?').run(userName).changes === 1
  }

  /** Sets a new password for the user named exactly `userName`; false if there is none. */
  async setPassword (userName: string, password: string): Promise<boolean> {
    const passwordHash = await this.#hashing.hash(password)
    return this.#db.prepare('UPDATE users SET password_hash = ? WHERE user_name = ?').run(passwordHash, userName).changes === 1
  }

  /** The user if the password matches, otherwise `null`; the same work is done either way. */
  async verifyCredentials (userName: string, password: string): Promise<User | null> {
    const row = this.#db.prepare('SELECT * FROM users WHERE user_name = ?').get(userName) as UserRow | undefined
    const matches = await this.#hashing.verify(password, row?.password_hash ?? await this.#decoyHash)
    if (!row || !matches) return null
    return toUser(row)
  }
}
