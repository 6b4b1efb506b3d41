import { randomUUID } from 'node:crypto'
import type { Role } from '@repo/contracts/scopes'
import type { SqlDatabase, SqlQueryable } from '@repo/service-kit/sql'
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
  readonly code = 'DUPLICATE_USER'
  /** The name already taken, as stored: `Jane` when `jane` was asked for. */
  readonly existing: string

  constructor (existing: string) {
    super(`a user named ${existing} already exists`)
    this.existing = existing
  }
}

/** What a change of a user does besides, in its transaction. */
export type AlsoDo = (tx: SqlQueryable, user: User) => Promise<void>

const toUser = (row: UserRow): User => ({ id: row.id, userName: row.user_name, role: row.role })

/** The user whose name equals `userName` regardless of case: the one a new `userName` would clash with. */
async function findIgnoringCase (sql: SqlQueryable, userName: string): Promise<User | undefined> {
  // lower() folds ASCII in both engines, exactly the set UserNameSchema allows.
  const row = await sql.get<UserRow>(
    'SELECT * FROM users WHERE lower(user_name) = lower($1) ORDER BY created_at LIMIT 1',
    [userName]
  )
  return row && toUser(row)
}

/**
 * Users and their password hashes, in the service's database. Names are unique regardless of case
 * (a rule the schema enforces too); lookups for login are exact.
 */
export class UserStore {
  readonly #db: SqlDatabase
  readonly #hashing: PasswordHashing
  /** Hash of a random password: unknown users are checked against it, so they cost a full scrypt too. */
  readonly #decoyHash: Promise<string>

  constructor (db: SqlDatabase, hashing: PasswordHashing = SCRYPT_HASHING) {
    this.#db = db
    this.#hashing = hashing
    this.#decoyHash = hashing.hash(randomUUID())
  }

  async count (): Promise<number> {
    const row = await this.#db.get<{ n: number }>('SELECT count(*) AS n FROM users')
    return row?.n ?? 0
  }

  async list (): Promise<ListedUser[]> {
    const rows = await this.#db.all<UserRow>('SELECT * FROM users ORDER BY created_at, user_name')
    return rows.map((row) => ({ ...toUser(row), createdAt: row.created_at }))
  }

  /** The user named exactly `userName`. */
  async find (userName: string): Promise<User | undefined> {
    const row = await this.#db.get<UserRow>('SELECT * FROM users WHERE user_name = $1', [userName])
    return row && toUser(row)
  }

  /** The user with this id (a token's `sub`), if it still exists. */
  async findById (id: string): Promise<User | undefined> {
    const row = await this.#db.get<UserRow>('SELECT * FROM users WHERE id = $1', [id])
    return row && toUser(row)
  }

  /** The user whose name equals `userName` regardless of case: the one a new `userName` would clash with. */
  findIgnoringCase (userName: string): Promise<User | undefined> {
    return findIgnoringCase(this.#db, userName)
  }

  /** Adds a user; throws `DuplicateUserError` when the name is taken in any case. */
  async add (userName: string, password: string, role: Role): Promise<User> {
    const user = { id: randomUUID(), userName, role }
    const passwordHash = await this.#hashing.hash(password)
    // Check and insert under the users lock, so another process cannot slip the same name in between.
    return this.#db.transaction('users', async (tx) => {
      const existing = await findIgnoringCase(tx, userName)
      if (existing) throw new DuplicateUserError(existing.userName)
      await tx.run('INSERT INTO users (id, user_name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)',
        [user.id, userName, passwordHash, role, Date.now()])
      return user
    })
  }

  /**
   * Removes the user named exactly `userName`; false if there is none. `alsoDo` runs in the same
   * transaction (ending the user's sessions and recording the event that tells the receivers).
   */
  async remove (userName: string, alsoDo?: AlsoDo): Promise<boolean> {
    return this.#db.transaction('users', async (tx) => {
      const row = await tx.get<UserRow>('SELECT * FROM users WHERE user_name = $1', [userName])
      if (!row) return false
      await tx.run('DELETE FROM users WHERE id = $1', [row.id])
      await alsoDo?.(tx, toUser(row))
      return true
    })
  }

  /**
   * Sets a new password for the user named exactly `userName`; false if there is none. `alsoDo` runs
   * in the same transaction (ending the user's sessions, recording the events). The hash is computed
   * before: no lock is held for its time.
   */
  async setPassword (userName: string, password: string, alsoDo?: AlsoDo): Promise<boolean> {
    const passwordHash = await this.#hashing.hash(password)
    return this.#db.transaction('users', async (tx) => {
      const row = await tx.get<UserRow>('SELECT * FROM users WHERE user_name = $1', [userName])
      if (!row) return false
      await tx.run('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, row.id])
      await alsoDo?.(tx, toUser(row))
      return true
    })
  }

  /** The user if the password matches, otherwise `null`; the same work is done either way. */
  async verifyCredentials (userName: string, password: string): Promise<User | null> {
    const row = await this.#db.get<UserRow>('SELECT * FROM users WHERE user_name = $1', [userName])
    const matches = await this.#hashing.verify(password, row?.password_hash ?? await this.#decoyHash)
    if (!row || !matches) return null
    return toUser(row)
  }
}
