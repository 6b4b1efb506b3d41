import { describe, expect, it } from 'vitest'
import { newPasswordProblem, userNameProblem } from '../../src/users/user-policy.js'

describe('userNameProblem', () => {
  it.each(['alice', 'J', 'Jane Doe', 'ops@example.com', '-bob', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(userNameProblem(name)).toBeUndefined()
  })

  it.each<[string, string, string]>([
    ['an empty name', '', 'a user name must not be empty'],
    ['a 65-character name', 'x'.repeat(65), 'a user name must be at most 64 characters, got 65'],
    ['a 100-character name', 'x'.repeat(100), 'a user name must be at most 64 characters, got 100'],
    ['a single space', ' ', 'a user name must not start or end with whitespace'],
    ['a leading space', ' alice', 'a user name must not start or end with whitespace'],
    ['a trailing tab', 'alice\t', 'a user name must not start or end with whitespace'],
    ['a trailing newline', 'alice\n', 'a user name must not start or end with whitespace'],
    ['a tab inside', 'Jane\tDoe', 'a user name must not contain control characters'],
    ['an escape sequence', 'ali\u001b[31mce', 'a user name must not contain control characters'],
    ['a C1 control character', 'ali\u0085ce', 'a user name must not contain control characters'],
    ['two spaces in a row', 'Jane  Doe', 'a user name must not contain two spaces in a row'],
    ['a non-ASCII letter', 'José', 'a user name may contain only printable ASCII characters (letters, digits, punctuation) and single spaces'],
    ['a no-break space inside', 'Jane\u00a0Doe', 'a user name may contain only printable ASCII characters (letters, digits, punctuation) and single spaces'],
    ['a zero-width space', 'ali\u200bce', 'a user name may contain only printable ASCII characters (letters, digits, punctuation) and single spaces']
  ])('refuses %s', (_case, name, message) => {
    expect(userNameProblem(name)).toBe(message)
  })
})

describe('newPasswordProblem', () => {
  it.each([
    ['8 characters', 'x'.repeat(8)],
    ['1024 characters', 'x'.repeat(1024)],
    ['spaces, and a name-like password', 'correct horse battery staple'],
    ['8 characters outside the BMP', '🔑'.repeat(8)]
  ])('accepts %s', (_case, password) => {
    expect(newPasswordProblem(password)).toBeUndefined()
  })

  it.each([
    ['an empty password', '', 'the password must be at least 8 characters'],
    ['a one-character password', 'x', 'the password must be at least 8 characters'],
    ['7 characters', 'pass123', 'the password must be at least 8 characters'],
    ['4 characters outside the BMP', '🔑'.repeat(4), 'the password must be at least 8 characters'],
    ['1025 characters', 'x'.repeat(1025), 'the password must be at most 1024 characters']
  ])('refuses %s', (_case, password, message) => {
    expect(newPasswordProblem(password)).toBe(message)
  })
})
