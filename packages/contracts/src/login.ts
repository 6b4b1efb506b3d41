import Type, { type Static } from 'typebox'
import { PASSWORD_MAX_LENGTH, USER_NAME_MAX_LENGTH } from './users.js'

/** Path of the auth service's login: a user name and password in, an access and a refresh token out. */
export const LOGIN_PATH = '/api/v1/auth'

/**
 * Body of `POST /api/v1/auth`. Deliberately looser than `UserNameSchema`/`NewPasswordSchema`: any
 * name or password that could ever have been stored is let through to a generic 401, so the answer
 * does not tell which names the policy allows. Only the lengths are shared.
 */
export const LoginRequestSchema = Type.Object({
  userName: Type.String({ minLength: 1, maxLength: USER_NAME_MAX_LENGTH }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH })
}, { additionalProperties: false })
export type LoginRequest = Static<typeof LoginRequestSchema>

/**
 * Successful answer of `POST /api/v1/auth`, an OAuth 2.0 token response (RFC 6749 §5.1) with a
 * refresh token: `grant_type=refresh_token` at the token endpoint renews it without the password.
 */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ minimum: 1 }),
  scope: Type.String(),
  refresh_token: Type.String()
})
export type TokenResponse = Static<typeof TokenResponseSchema>
