import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { migrate } from '@repo/service-kit/sqlite'
import { DATABASE_FILE } from '../../src/db/open-auth-database.js'
import { AUTH_MIGRATIONS } from '../../src/db/schema.js'
import { hashPassword, verifyPassword } from '../../src/users/password-hash.js'
import { DuplicateUserError, UserStore, type PasswordHashing } from '../../src/users/user-store.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { tempDataDir } from '../helper.js'

/** Stands in for scrypt where a test is about the store, not the hash: `plain:<password>`. */
const PLAIN: PasswordHashing = {
  hash: async (password) => `plain:${password}`,
  verify: async (password, stored) => stored === `plain:${password}`
}

async function openStore (engine: Engine, hashing = PLAIN): Promise<{ users: UserStore, db: SqlDatabase }> {
  const db = await openTestDatabase(await freshLocation(engine))
  return { users: new UserStore(db, hashing), db }
}

const names = async (users: UserStore) => (await users.list()).map((user) => user.userName)

describe('UserStore on SQLite, before the case rule', () => {
  it('still opens a database that holds Jane and jane from before the rule, and keeps both', async () => {
    const dataDir = await tempDataDir()
    const old = new DatabaseSync(join(dataDir, DATABASE_FILE))
    migrate(old, AUTH_MIGRATIONS.sqlite.slice(0, 2))
    const insert = old.prepare("INSERT INTO users (id, user_name, password_hash, role, created_at) VALUES (?, ?, 'h', 'read', 0)")
    insert.run('1', 'Jane')
    insert.run('2', 'jane')
    old.close()

    const users = new UserStore(await openTestDatabase({ dataDir }), PLAIN)
    expect(await names(users)).toEqual(['Jane', 'jane'])
    await expect(users.add('JANE', 'correct horse', 'read')).rejects.toThrow('a user named Jane already exists')
    expect(await users.remove('jane')).toBe(true)
    expect(await names(users)).toEqual(['Jane'])
  })
})

describe.each(ENGINES)('UserStore on %s', (engine) => {
  it.each(['alice', 'Alice', 'ALICE', 'aLiCe'])('refuses %s beside alice, naming the user that exists', async (second) => {
    const { users } = await openStore(engine)
    await users.add('alice', 'correct horse', 'read')
    const refusal = users.add(second, 'other password', 'write')
    await expect(refusal).rejects.toBeInstanceOf(DuplicateUserError)
    await expect(refusal).rejects.toThrow('a user named alice already exists')
    expect(await users.count()).toBe(1)
  })

  it('refuses a case-insensitive duplicate in the database itself, whoever writes', async () => {
    const { users, db } = await openStore(engine)
    await users.add('Jane', 'correct horse', 'write')
    // SQLite enforces it with a trigger, PostgreSQL with a unique index on lower(user_name).
    const taken = engine === 'sqlite' ? /user name taken/ : /users_user_name_lower/
    await expect(db.run("INSERT INTO users (id, user_name, password_hash, role, created_at) VALUES ('x', $1, 'h', 'read', 0)", ['jane'])).rejects.toThrow(taken)
    await users.add('John', 'correct horse', 'read')
    await expect(db.run("UPDATE users SET user_name = 'JANE' WHERE user_name = 'John'")).rejects.toThrow(taken)
    expect(await names(users)).toEqual(['Jane', 'John'])
  })

  it('lets exactly one of two processes add a name, whatever its case', async () => {
    const location = await freshLocation(engine)
    const [a, b] = [new UserStore(await openTestDatabase(location), PLAIN), new UserStore(await openTestDatabase(location), PLAIN)]
    const results = await Promise.allSettled([a.add('alice', 'correct horse', 'read'), b.add('ALICE', 'correct horse', 'write')])
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(DuplicateUserError)
    expect(await a.count()).toBe(1)
  })

  it('looks names up exactly, and regardless of case only when asked', async () => {
    const { users } = await openStore(engine)
    const jane = await users.add('Jane', 'correct horse', 'write')
    expect(await users.find('Jane')).toEqual(jane)
    expect(await users.find('jane')).toBeUndefined()
    expect(await users.findIgnoringCase('jANE')).toEqual(jane)
    expect(await users.findById(jane.id)).toEqual(jane)
    expect(await users.verifyCredentials('jane', 'correct horse')).toBeNull()
    expect(await users.verifyCredentials('Jane', 'correct horse')).toEqual(jane)
  })

  it('lists users without their password hashes', async () => {
    const { users } = await openStore(engine)
    const alice = await users.add('alice', 'correct horse', 'read')
    expect(await users.list()).toEqual([{ ...alice, createdAt: expect.any(Number) }])
  })

  it('removes a user by exact name', async () => {
    const { users } = await openStore(engine)
    await users.add('alice', 'correct horse', 'read')
    expect(await users.remove('Alice')).toBe(false)
    expect(await users.remove('alice')).toBe(true)
    expect(await users.remove('alice')).toBe(false)
    expect(await users.verifyCredentials('alice', 'correct horse')).toBeNull()
  })

  it('changes a password: the new one logs in, the old one no longer does', async () => {
    const { users } = await openStore(engine)
    await users.add('alice', 'correct horse', 'read')
    expect(await users.setPassword('alice', 'battery staple')).toBe(true)
    expect(await users.verifyCredentials('alice', 'correct horse')).toBeNull()
    expect(await users.verifyCredentials('alice', 'battery staple')).toMatchObject({ userName: 'alice' })
    expect(await users.setPassword('nobody', 'battery staple')).toBe(false)
  })

  describe('with the real scrypt, watched', () => {
    /** The real hash and verify functions, recording what they were given and made. */
    function watchedScrypt () {
      const hashes: string[] = []
      const verifications: Array<{ stored: string }> = []
      const hashing: PasswordHashing = {
        hash: async (password) => {
          const hash = await hashPassword(password)
          hashes.push(hash)
          return hash
        },
        verify: async (password, stored) => {
          verifications.push({ stored })
          return verifyPassword(password, stored)
        }
      }
      return { hashing, hashes, verifications }
    }
    const params = (hash: string) => hash.split('$').slice(0, 4).join('$')
    const storedHash = async (db: SqlDatabase, userName: string) =>
      (await db.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE user_name = $1', [userName]))?.password_hash

    it('verifies an unknown user once, fully, against a decoy hash with the same scrypt parameters', async () => {
      const { hashing, hashes, verifications } = watchedScrypt()
      const { users, db } = await openStore(engine, hashing)
      await users.add('alice', 'correct horse', 'read')
      const aliceHash = await storedHash(db, 'alice') as string

      expect(await users.verifyCredentials('nobody', 'correct horse')).toBeNull()

      expect(verifications).toHaveLength(1)
      const decoy = verifications[0]?.stored as string
      expect(decoy).not.toBe(aliceHash)
      // Made by the same hash function (not a constant), so it costs what a real user's hash costs.
      expect(hashes).toContain(decoy)
      expect(params(decoy)).toBe(params(aliceHash))
      expect(params(decoy)).toBe('scrypt$32768$8$1')
    })

    it('verifies a known user once, against that user\'s hash', async () => {
      const { hashing, verifications } = watchedScrypt()
      const { users, db } = await openStore(engine, hashing)
      await users.add('alice', 'correct horse', 'read')
      const aliceHash = await storedHash(db, 'alice') as string

      expect(await users.verifyCredentials('alice', 'wrong horse')).toBeNull()
      expect(await users.verifyCredentials('alice', 'correct horse')).toMatchObject({ userName: 'alice' })
      expect(verifications).toEqual([{ stored: aliceHash }, { stored: aliceHash }])
    })
  })
})
