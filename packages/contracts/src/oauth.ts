import Type, { type Static } from 'typebox'

/** Path of the auth service's token endpoint (RFC 6749 §3.2). */
export const TOKEN_PATH = '/oauth/token'

/** Path of the auth service's revocation endpoint (RFC 7009). */
export const REVOCATION_PATH = '/oauth/revoke'

/** Path of the auth service's introspection endpoint (RFC 7662). */
export const INTROSPECTION_PATH = '/oauth/introspect'

/** The grants the token endpoint serves. */
export const GRANT_TYPES = ['authorization_code', 'client_credentials', 'refresh_token'] as const

/**
 * How a confidential client proves itself at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2);
 * `none` is a public client.
 */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const
export type ClientAuthMethod = typeof CLIENT_AUTH_METHODS[number]

/** `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2). */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** RFC 8707: the longest `resource` value accepted, and how many a request may name. */
export const RESOURCE_MAX_LENGTH = 2000
export const MAX_RESOURCES = 10

/** How a client authenticates in the request body (RFC 6749 §2.3.1, RFC 7523 §2.2), at both endpoints. */
const CLIENT_AUTHENTICATION_MEMBERS = {
  client_id: Type.Optional(Type.String({ maxLength: 200 })),
  client_secret: Type.Optional(Type.String({ maxLength: 200 })),
  client_assertion_type: Type.Optional(Type.String({ maxLength: 200 })),
  client_assertion: Type.Optional(Type.String({ maxLength: 8192 }))
}

/**
 * A token request (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7636 §4.5; RFC 7523 §2.2),
 * `application/x-www-form-urlencoded`. Every member is a string; which ones a grant needs is checked
 * by the endpoint, so each missing one gets its own RFC 6749 §5.2 error. Unknown parameters are
 * ignored, as §3.2 says.
 */
export const TokenRequestSchema = Type.Object({
  grant_type: Type.Optional(Type.String({ maxLength: 100 })),
  scope: Type.Optional(Type.String({ maxLength: 1000 })),
  refresh_token: Type.Optional(Type.String({ maxLength: 200 })),
  /** `authorization_code`: the code, the redirect URI it was sent to, and the PKCE verifier. */
  code: Type.Optional(Type.String({ maxLength: 200 })),
  redirect_uri: Type.Optional(Type.String({ maxLength: 2000 })),
  code_verifier: Type.Optional(Type.String({ maxLength: 200 })),
  /** RFC 8707 §2: the resource the access token is for; the form parser keeps a repeated one as a list. */
  resource: Type.Optional(Type.Union([
    Type.String({ maxLength: RESOURCE_MAX_LENGTH }),
    Type.Array(Type.String({ maxLength: RESOURCE_MAX_LENGTH }), { maxItems: MAX_RESOURCES })
  ])),
  ...CLIENT_AUTHENTICATION_MEMBERS
})
export type TokenRequest = Static<typeof TokenRequestSchema>

/** A revocation request (RFC 7009 §2.1), with the same client authentication members. */
export const RevocationRequestSchema = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 8192 })),
  token_type_hint: Type.Optional(Type.String({ maxLength: 100 })),
  ...CLIENT_AUTHENTICATION_MEMBERS
})
export type RevocationRequest = Static<typeof RevocationRequestSchema>

/**
 * The `token_type_hint` values the introspection and revocation endpoints know (RFC 7009 §2.1): only a
 * hint, which kind to look for first; any other value is ignored (RFC 7662 §2.1).
 */
export const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'] as const
export type TokenTypeHint = typeof TOKEN_TYPE_HINTS[number]

/** An introspection request (RFC 7662 §2.1), with the same client authentication members. */
export const IntrospectionRequestSchema = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 8192 })),
  token_type_hint: Type.Optional(Type.String({ maxLength: 100 })),
  ...CLIENT_AUTHENTICATION_MEMBERS
})
export type IntrospectionRequest = Static<typeof IntrospectionRequestSchema>

/**
 * An introspection answer (RFC 7662 §2.2). `{ "active": false }` alone for any token that is not
 * active or not the caller's to see, whatever the reason. An active access token: its claims, and
 * `token_type` `Bearer` or `DPoP` (with `cnf`); an active refresh token: no `token_type`, `aud`, `nbf`
 * or `jti` (as oidc-provider answers), `cnf` when it is bound to a DPoP key. Nothing else leaves the
 * service: the schema is also the filter.
 */
export const IntrospectionResponseSchema = Type.Object({
  active: Type.Boolean(),
  scope: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.Union([Type.Literal('Bearer'), Type.Literal('DPoP')])),
  exp: Type.Optional(Type.Integer({ minimum: 0 })),
  iat: Type.Optional(Type.Integer({ minimum: 0 })),
  nbf: Type.Optional(Type.Integer({ minimum: 0 })),
  sub: Type.Optional(Type.String()),
  aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  iss: Type.Optional(Type.String()),
  jti: Type.Optional(Type.String()),
  /** RFC 9449 §6.2: the key a DPoP-bound token is bound to. */
  cnf: Type.Optional(Type.Object({ jkt: Type.String() }, { additionalProperties: false })),
  /** The browser session of a token from the code flow (as in the token). */
  sid: Type.Optional(Type.String())
}, { additionalProperties: false })
export type IntrospectionResponse = Static<typeof IntrospectionResponseSchema>

/** A successful token response (RFC 6749 §5.1). */
export const OAuthTokenResponseSchema = Type.Object({
  access_token: Type.String(),
  /** `DPoP` when the token is bound to the key of the request's DPoP proof (RFC 9449 §5). */
  token_type: Type.Union([Type.Literal('Bearer'), Type.Literal('DPoP')]),
  expires_in: Type.Integer({ minimum: 1 }),
  scope: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  /** OpenID Connect: when the code was issued for the `openid` scope. */
  id_token: Type.Optional(Type.String())
})
export type OAuthTokenResponse = Static<typeof OAuthTokenResponseSchema>

/**
 * The error codes of RFC 6749 §5.2, the one RFC 7009 §2.2.1 adds, `unsupported_response_type`
 * (§4.1.2.1), which the pushed authorization request endpoint answers in its body (RFC 9126 §2.3),
 * the two of DPoP's token endpoint (RFC 9449 §5.10, §8), and RFC 8707's `invalid_target` (§2): a
 * `resource` the client may not ask a token for.
 */
export const OAUTH_ERROR_CODES = [
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type',
  'invalid_scope', 'unsupported_token_type', 'temporarily_unavailable', 'unsupported_response_type',
  'invalid_dpop_proof', 'use_dpop_nonce', 'invalid_target'
] as const
export type OAuthErrorCode = typeof OAUTH_ERROR_CODES[number]

/** An error response of the token and revocation endpoints (RFC 6749 §5.2): not the service's usual error body. */
export const OAuthErrorSchema = Type.Object({
  error: Type.Enum(OAUTH_ERROR_CODES),
  error_description: Type.Optional(Type.String())
})
export type OAuthError = Static<typeof OAuthErrorSchema>
