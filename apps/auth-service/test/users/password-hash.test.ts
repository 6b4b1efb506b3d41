import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openAuthDatabase } from '../../src/db/open-auth-database.js'
import { hashPassword, verifyPassword } from '../../src/users/password-hash.js'
import { DuplicateUserError, UserStore } from '../../src/users/user-store.js'
import { tempDataDir } from '../helper.js'

describe('password hashing', () => {
  it('stores scrypt parameters and a per-user salt, never the password', async () => {
    const [first, second] = await Promise.all([hashPassword('pass123'), hashPassword('pass123')])
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    expect(first).not.toBe(second)
    expect(first).not.toContain('pass123')
  })

  it.each([
    ['the right password', 'pass123', true],
    ['a wrong password', 'pass124', false],
    ['an empty password', '', false]
  ])('verifies %s', async (_case, candidate, expected) => {
    expect(await verifyPassword(candidate, await hashPassword('pass123'))).toBe(expected)
  })

  it.each(['', 'plain', 'bcrypt$x$y', 'scrypt$32768$8$1$$'])('never matches the malformed hash %j', async (stored) => {
    expect(await verifyPassword('pass123', stored)).toBe(false)
  })
})

describe('UserStore', () => {
  async function store () {
    const db = openAuthDatabase(await tempDataDir())
    return { users: new UserStore(db), db }
  }

  it('refuses a second user with the same name', async () => {
    const { users, db } = await store()
    await users.add('alice', 'secret', 'read')
    await expect(users.add('alice', 'other', 'write')).rejects.toBeInstanceOf(DuplicateUserError)
    db.close()
  })

  it('spends a full hash on an unknown user, as on a wrong password', async () => {
    const { users, db } = await store()
    await users.add('alice', 'secret', 'read')
    async function median (userName: string) {
      const times: number[] = []
      for (let i = 0; i < 3; i++) {
        const start = performance.now()
        expect(await users.verifyCredentials(userName, randomUUID())).toBeNull()
        times.push(performance.now() - start)
      }
      return times.sort((a, b) => a - b)[1] as number
    }
    const wrongPassword = await median('alice')
    const unknownUser = await median('nobody')
    // Without the decoy hash an unknown user answers in well under 1% of the time.
    expect(unknownUser).toBeGreaterThan(wrongPassword * 0.5)
    db.close()
  })
})
