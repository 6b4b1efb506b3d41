import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { LoginRequestSchema } from '../src/login.js'
import { NewPasswordSchema, UserNameSchema } from '../src/users.js'

describe('UserNameSchema', () => {
  const name = Compile(UserNameSchema)

  it.each([
    ['a plain name', 'alice'],
    ['one character', 'J'],
    ['64 characters', 'x'.repeat(64)],
    ['words separated by single spaces', 'Jane Doe'],
    ['an e-mail address', 'ops@example.com'],
    ['a leading dash', '-bob'],
    ['ASCII punctuation', "o'brien_2.0+ops"]
  ])('accepts %s', (_case, value) => {
    expect(name.Check(value)).toBe(true)
  })

  it.each([
    ['an empty name', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a single space', ' '],
    ['a leading space', ' alice'],
    ['a trailing space', 'alice '],
    ['two spaces in a row', 'Jane  Doe'],
    ['a tab', 'Jane\tDoe'],
    ['a newline', 'alice\n'],
    ['a NUL', 'ali\u0000ce'],
    ['DEL', 'alice\u007f'],
    ['a no-break space', 'Jane\u00a0Doe'],
    ['a zero-width space', 'ali\u200bce'],
    ['a right-to-left override', 'alice\u202e'],
    ['a non-ASCII letter', 'José'],
    ['a Cyrillic look-alike', 'аlice']
  ])('rejects %s', (_case, value) => {
    expect(name.Check(value)).toBe(false)
  })
})

describe('NewPasswordSchema', () => {
  const password = Compile(NewPasswordSchema)

  it.each([
    ['8 characters', 'x'.repeat(8)],
    ['1024 characters', 'x'.repeat(1024)],
    ['spaces and any Unicode', ' correct horse battery staple ✓ '],
    ['8 characters outside the BMP (16 UTF-16 units)', '🔑'.repeat(8)]
  ])('accepts %s', (_case, value) => {
    expect(password.Check(value)).toBe(true)
  })

  it.each([
    ['an empty password', ''],
    ['7 characters', 'x'.repeat(7)],
    ['4 characters outside the BMP (8 UTF-16 units)', '🔑'.repeat(4)],
    ['1025 characters', 'x'.repeat(1025)]
  ])('rejects %s', (_case, value) => {
    expect(password.Check(value)).toBe(false)
  })
})

describe('LoginRequestSchema beside the user policy', () => {
  const login = Compile(LoginRequestSchema)

  it.each([
    ['a password shorter than a new one may be', { userName: 'Jane', password: 'pass123' }],
    ['a one-character password', { userName: 'Jane', password: 'x' }],
    ['a name the policy refuses, for a generic 401', { userName: ' Jane ', password: 'pass123' }],
    ['the longest name a user can have', { userName: 'x'.repeat(64), password: 'p' }],
    ['the longest password one can set', { userName: 'Jane', password: 'p'.repeat(1024) }]
  ])('accepts %s', (_case, body) => {
    expect(login.Check(body)).toBe(true)
  })

  it.each([
    ['a name longer than any user can have', { userName: 'x'.repeat(65), password: 'p' }],
    ['a password longer than any can be set', { userName: 'Jane', password: 'p'.repeat(1025) }],
    ['an empty name', { userName: '', password: 'p' }],
    ['an empty password', { userName: 'Jane', password: '' }]
  ])('rejects %s', (_case, body) => {
    expect(login.Check(body)).toBe(false)
  })
})
