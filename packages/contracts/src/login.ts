import Type, { type Static } from 'typebox'

/** Body of `POST /api/v1/auth`. */
export const LoginRequestSchema = Type.Object({
  userName: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 })
}, { additionalProperties: false })
export type LoginRequest = Static<typeof LoginRequestSchema>

/** Successful answer of `POST /api/v1/auth`, shaped like an OAuth 2.0 token response (RFC 6749 §5.1). */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ minimum: 1 }),
  scope: Type.String()
})
export type TokenResponse = Static<typeof TokenResponseSchema>
