import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../src/users/password-hash.js'

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
