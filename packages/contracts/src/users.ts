import Type, { type Static } from 'typebox'

/**
 * The longest user name, in characters (Unicode code points). Login's `userName` has the same limit,
 * so every name a user can be created with can also log in.
 */
export const USER_NAME_MAX_LENGTH = 64

/** The longest password, in characters: login accepts no more, so no longer one can be set. */
export const PASSWORD_MAX_LENGTH = 1024

/** The shortest new password, in characters: NIST SP 800-63B §3.1.1.2 requires at least 8. */
export const NEW_PASSWORD_MIN_LENGTH = 8

/**
 * Printable ASCII (`!` to `~`) in words separated by single spaces: no leading, trailing or doubled
 * whitespace, no control characters, no invisible or look-alike non-ASCII characters. ASCII keeps
 * "unique regardless of case" exact: the database's case folding (SQLite NOCASE) covers ASCII only.
 */
export const USER_NAME_PATTERN = '^[!-~]+(?: [!-~]+)*$'

/**
 * The name of a new user: 1 to {@link USER_NAME_MAX_LENGTH} characters matching
 * {@link USER_NAME_PATTERN} — `alice`, `Jane Doe`, `ops@example.com`, `-bob`. Names are unique
 * regardless of case (`jane` cannot join `Jane`); login still compares them exactly.
 */
export const UserNameSchema = Type.String({ minLength: 1, maxLength: USER_NAME_MAX_LENGTH, pattern: USER_NAME_PATTERN })
export type UserName = Static<typeof UserNameSchema>

/**
 * A password being set (a new user, or a change): {@link NEW_PASSWORD_MIN_LENGTH} to
 * {@link PASSWORD_MAX_LENGTH} characters, any characters at all (NIST SP 800-63B: no composition
 * rules). Login accepts any existing password of 1 to {@link PASSWORD_MAX_LENGTH} characters.
 */
export const NewPasswordSchema = Type.String({ minLength: NEW_PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
export type NewPassword = Static<typeof NewPasswordSchema>
