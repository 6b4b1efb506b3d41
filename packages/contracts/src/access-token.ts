import Type, { type Static } from 'typebox'
import { RoleSchema } from './scopes.js'

/**
 * The `typ` header of an RFC 9068 access token. A resource server accepts `at+jwt` and
 * `application/at+jwt`, compared case-insensitively (RFC 9068 §4, RFC 7515 §4.1.9).
 */
export const ACCESS_TOKEN_TYP = 'at+jwt'

/** True for every spelling of the access-token `typ` that RFC 9068 §4 tells a resource server to accept. */
export function isAccessTokenTyp (typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === ACCESS_TOKEN_TYP
}

/** Asymmetric algorithms the auth service can sign with; `RS256` is its default. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const

export const SigningAlgorithmSchema = Type.Enum(SIGNING_ALGORITHMS)
export type SigningAlgorithm = Static<typeof SigningAlgorithmSchema>

/**
 * Every asymmetric JWS algorithm (RFC 7518 §3.1, RFC 8037) a resource server here can verify, for
 * tokens from any issuer. Symmetric (`HS*`) and `none` are not among them, and never will be.
 */
export const VERIFICATION_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'
] as const

export const VerificationAlgorithmSchema = Type.Enum(VERIFICATION_ALGORITHMS)
export type VerificationAlgorithm = Static<typeof VerificationAlgorithmSchema>

/**
 * The auth service's key ids: the RFC 7638 SHA-256 thumbprint of the public key, base64url
 * without padding, exactly 43 characters.
 */
export const KID_PATTERN = '^[A-Za-z0-9_-]{43}$'

export const KidSchema = Type.String({ pattern: KID_PATTERN })

/**
 * A key id from any issuer: 1 to 256 printable ASCII characters without spaces (`rsa-2026-11`,
 * a thumbprint, a UUID...). RFC 7515 leaves `kid` free-form; the limit keeps a crafted one out of
 * cache keys and log lines.
 */
export const ANY_KID_PATTERN = '^[\\x21-\\x7E]{1,256}$'

/**
 * The protected header a resource server accepts from a conformant issuer: `alg` and `typ`, an
 * optional `kid`, and the certificate thumbprints some issuers add (never used to find a key).
 * Anything else — `jku`, `x5u`, `jwk`, `x5c` (keys from the token itself), `crit` — is refused
 * rather than half-understood. `typ` is checked with `isAccessTokenTyp`.
 */
export const AccessTokenHeaderSchema = Type.Object({
  alg: VerificationAlgorithmSchema,
  typ: Type.String({ maxLength: 64 }),
  kid: Type.Optional(Type.String({ pattern: ANY_KID_PATTERN })),
  x5t: Type.Optional(Type.String({ maxLength: 128 })),
  'x5t#S256': Type.Optional(Type.String({ maxLength: 128 }))
}, { additionalProperties: false })
export type AccessTokenHeader = Static<typeof AccessTokenHeaderSchema>

/** The header the auth service puts on every token it issues: a stricter case of the above. */
export const IssuedAccessTokenHeaderSchema = Type.Object({
  alg: SigningAlgorithmSchema,
  kid: KidSchema,
  typ: Type.Literal(ACCESS_TOKEN_TYP)
}, { additionalProperties: false })
export type IssuedAccessTokenHeader = Static<typeof IssuedAccessTokenHeaderSchema>

/** The claims RFC 9068 §2.2 makes mandatory. */
const REQUIRED_CLAIMS = {
  iss: Type.String({ minLength: 1 }),
  sub: Type.String({ minLength: 1 }),
  aud: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
  exp: Type.Integer({ minimum: 0 }),
  iat: Type.Integer({ minimum: 0 }),
  jti: Type.String({ minLength: 1 }),
  client_id: Type.String({ minLength: 1 })
}

/**
 * The RFC 9068 access-token profile: what a resource server accepts from any conformant issuer.
 * The §2.2 claims are required; `scope`, `nbf` and the §2.2.1–2.2.3 claims are optional, and so is
 * the auth service's `role` (displayed when present, never required, authorization never uses it).
 * Other claims are allowed and ignored.
 */
export const AccessTokenClaimsSchema = Type.Object({
  ...REQUIRED_CLAIMS,
  nbf: Type.Optional(Type.Integer({ minimum: 0 })),
  scope: Type.Optional(Type.String()),
  auth_time: Type.Optional(Type.Integer({ minimum: 0 })),
  acr: Type.Optional(Type.String()),
  amr: Type.Optional(Type.Array(Type.String())),
  role: Type.Optional(Type.Unknown())
})
export type AccessTokenClaims = Static<typeof AccessTokenClaimsSchema>

/**
 * What the auth service issues: the profile above, always with `nbf` and a `scope`, the user's `role`
 * on a user's token (a client's token has none: its `sub` is the client), `cnf` on a DPoP-bound token,
 * `sid` on a token from a browser session, and nothing else.
 * Compile-time coupling between the services stays here and in the scopes.
 */
export const IssuedAccessTokenClaimsSchema = Type.Object({
  ...REQUIRED_CLAIMS,
  nbf: Type.Integer({ minimum: 0 }),
  scope: Type.String(),
  role: Type.Optional(RoleSchema),
  /**
   * A DPoP-bound token (RFC 9449 §6.1): the RFC 7638 SHA-256 thumbprint of the key whose proofs must
   * come with it. Absent on a bearer token.
   */
  cnf: Type.Optional(Type.Object({ jkt: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
  /**
   * The browser session the user logged in with, on a token from the authorization-code flow and its
   * refreshes: the same value as the ID token's `sid` (OpenID Connect Front-Channel and Back-Channel
   * Logout), so that a logout can be matched to the access tokens of that session. RFC 9068 §2.2 allows
   * claims beyond its own. Absent on a client's token (`client_credentials`) and on any token issued
   * without a browser session (the JSON login and its refreshes).
   */
  sid: Type.Optional(Type.String({ minLength: 1 }))
}, { additionalProperties: false })
export type IssuedAccessTokenClaims = Static<typeof IssuedAccessTokenClaimsSchema>
