import { Compile } from 'typebox/compile'
import {
  NEW_PASSWORD_MIN_LENGTH, NewPasswordSchema, PASSWORD_MAX_LENGTH, USER_NAME_MAX_LENGTH, UserNameSchema
} from '@repo/contracts/users'

const userName = Compile(UserNameSchema)
const newPassword = Compile(NewPasswordSchema)
// Check() is a type guard; on a `string` its false branch would narrow the value to `never`.
const valid = (check: { Check: (value: unknown) => boolean }, value: string) => check.Check(value)

/** Characters as the schemas count them: Unicode code points. */
const length = (value: string) => [...value].length

/**
 * Why `name` is not a valid new user name, or `undefined` if it is. The schema decides; this only
 * picks the sentence that tells a person what to change.
 */
export function userNameProblem (name: string): string | undefined {
  if (valid(userName, name)) return undefined
  if (name.length === 0) return 'a user name must not be empty'
  if (length(name) > USER_NAME_MAX_LENGTH) {
    return `a user name must be at most ${USER_NAME_MAX_LENGTH} characters, got ${length(name)}`
  }
  if (/^\s|\s$/u.test(name)) return 'a user name must not start or end with whitespace'
  if (/\p{Cc}/u.test(name)) return 'a user name must not contain control characters'
  if (/\s\s/u.test(name)) return 'a user name must not contain two spaces in a row'
  return 'a user name may contain only printable ASCII characters (letters, digits, punctuation) and single spaces'
}

/** Why `password` cannot be set, or `undefined` if it can. Never quotes the password. */
export function newPasswordProblem (password: string): string | undefined {
  if (valid(newPassword, password)) return undefined
  if (length(password) < NEW_PASSWORD_MIN_LENGTH) {
    return `the password must be at least ${NEW_PASSWORD_MIN_LENGTH} characters`
  }
  return `the password must be at most ${PASSWORD_MAX_LENGTH} characters`
}
