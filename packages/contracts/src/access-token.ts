import Type, { type Static } from 'typebox'
import { RoleSchema } from './scopes.js'

/** The `typ` header of an RFC 9068 JWT access token. */
export const ACCESS_TOKEN_TYP = 'at+jwt'

/** Asymmetric algorithms the auth service can sign with; `RS256` is its default. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const

export const SigningAlgorithmSchema = Type.Enum(SIGNING_ALGORITHMS)
export type SigningAlgorithm = Static<typeof SigningAlgorithmSchema>

/**
 * A key id is the RFC 7638 SHA-256 thumbprint of the public key, base64url without padding:
 * exactly 43 characters. Consumers check this before any key lookup, so a crafted `kid`
 * can never reach a cache key, a log line or a URL unchecked.
 */
export const KID_PATTERN = '^[A-Za-z0-9_-]{43}$'

export const KidSchema = Type.String({ pattern: KID_PATTERN })

/**
 * The protected header of an access token. No other member is allowed: a token that carries
 * `jku`, `x5u`, `jwk`, `x5c` or `crit` is rejected rather than half-understood.
 */
export const AccessTokenHeaderSchema = Type.Object({
  alg: SigningAlgorithmSchema,
  kid: KidSchema,
  typ: Type.Literal(ACCESS_TOKEN_TYP)
}, { additionalProperties: false })
export type AccessTokenHeader = Static<typeof AccessTokenHeaderSchema>

/** Claims of an access token (RFC 9068 §2.2), plus the user's role. */
export const AccessTokenClaimsSchema = Type.Object({
  iss: Type.String({ minLength: 1 }),
  sub: Type.String({ minLength: 1 }),
  aud: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
  exp: Type.Integer({ minimum: 0 }),
  iat: Type.Integer({ minimum: 0 }),
  nbf: Type.Integer({ minimum: 0 }),
  jti: Type.String({ minLength: 1 }),
  client_id: Type.String({ minLength: 1 }),
  scope: Type.String(),
  role: RoleSchema
})
export type AccessTokenClaims = Static<typeof AccessTokenClaimsSchema>
