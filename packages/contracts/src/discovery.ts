import Type, { type Static } from 'typebox'

/** Path of the OAuth 2.0 Authorization Server Metadata document (RFC 8414 §3), relative to the issuer. */
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server'

/** Path of the OpenID Provider Configuration document, relative to the issuer. */
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration'

const Strings = () => Type.Array(Type.String({ minLength: 1 }))

/**
 * RFC 8414 Authorization Server Metadata, the members the auth service publishes. Every member
 * states what the service does: members whose RFC 8414 default would claim more (grant types,
 * response modes) are always sent. The OpenID Connect members (userinfo, logout, claims) are in
 * both documents: clients that read only RFC 8414 metadata find them too.
 */
export const AuthorizationServerMetadataSchema = Type.Object({
  issuer: Type.String({ minLength: 1 }),
  /** `GET /authorize`: the authorization code flow with PKCE. */
  authorization_endpoint: Type.String({ minLength: 1 }),
  /** RFC 9126 §5. */
  pushed_authorization_request_endpoint: Type.String({ minLength: 1 }),
  /** RFC 9126 §5: false, because only clients registered with `--require-par` must push. */
  require_pushed_authorization_requests: Type.Boolean(),
  jwks_uri: Type.String({ minLength: 1 }),
  token_endpoint: Type.String({ minLength: 1 }),
  revocation_endpoint: Type.String({ minLength: 1 }),
  userinfo_endpoint: Type.String({ minLength: 1 }),
  end_session_endpoint: Type.String({ minLength: 1 }),
  /** `code` only: no implicit or hybrid flow. */
  response_types_supported: Strings(),
  response_modes_supported: Strings(),
  grant_types_supported: Strings(),
  /** `S256` only: `plain` is refused (RFC 7636, RFC 9700 §2.1.1). */
  code_challenge_methods_supported: Strings(),
  /** RFC 9207: every authorization response carries `iss`. */
  authorization_response_iss_parameter_supported: Type.Boolean(),
  prompt_values_supported: Strings(),
  claims_supported: Strings(),
  token_endpoint_auth_methods_supported: Strings(),
  /** Required by RFC 8414 §2 when `private_key_jwt` is among the methods. */
  token_endpoint_auth_signing_alg_values_supported: Strings(),
  revocation_endpoint_auth_methods_supported: Strings(),
  /** Required by RFC 8414 §2 when `private_key_jwt` is among the methods. */
  revocation_endpoint_auth_signing_alg_values_supported: Strings(),
  /** RFC 7662 via RFC 8414 §2: confidential clients only, so never `none`. */
  introspection_endpoint: Type.String({ minLength: 1 }),
  introspection_endpoint_auth_methods_supported: Strings(),
  /** Required by RFC 8414 §2 when `private_key_jwt` is among the methods. */
  introspection_endpoint_auth_signing_alg_values_supported: Strings(),
  scopes_supported: Strings(),
  /** RFC 9449 §5.1: the algorithms the token endpoint accepts DPoP proofs signed with. */
  dpop_signing_alg_values_supported: Strings()
})
export type AuthorizationServerMetadata = Static<typeof AuthorizationServerMetadataSchema>

/**
 * OpenID Connect Discovery 1.0 metadata: the RFC 8414 members plus the two OIDC-only members
 * OIDC Discovery §3 requires.
 */
export const OpenIdConfigurationSchema = Type.Object({
  ...AuthorizationServerMetadataSchema.properties,
  subject_types_supported: Strings(),
  /**
   * The algorithms the issuer signs with. OIDC Discovery §3 asks for RS256 among them; the auth
   * service lists only the algorithms of its published keys, which clients take as the ones to accept.
   */
  id_token_signing_alg_values_supported: Strings()
})
export type OpenIdConfiguration = Static<typeof OpenIdConfigurationSchema>

/** What a consumer needs from the discovery document; other members are ignored. */
export const DiscoveredIssuerSchema = Type.Object({
  issuer: Type.String({ minLength: 1 }),
  jwks_uri: Type.String({ minLength: 1 })
})
export type DiscoveredIssuer = Static<typeof DiscoveredIssuerSchema>

/**
 * Path of the OAuth 2.0 Protected Resource Metadata document (RFC 9728 §3), relative to the resource
 * server's origin: where a client that met a resource server learns which issuers and scopes it takes.
 */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource'
