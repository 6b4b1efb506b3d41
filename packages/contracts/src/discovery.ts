import Type, { type Static } from 'typebox'

/** Path of the OAuth 2.0 Authorization Server Metadata document (RFC 8414 §3), relative to the issuer. */
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server'

/** Path of the OpenID Provider Configuration document, relative to the issuer. */
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration'

const Strings = () => Type.Array(Type.String({ minLength: 1 }))

/**
 * RFC 8414 Authorization Server Metadata, the members the auth service publishes. Every member
 * states what the service does: members whose RFC 8414 default would claim more (grant types)
 * are always sent, and there is no `authorization_endpoint` because there is no authorization
 * endpoint (RFC 8414 §2 requires it only when a grant type uses it; none does).
 */
export const AuthorizationServerMetadataSchema = Type.Object({
  issuer: Type.String({ minLength: 1 }),
  jwks_uri: Type.String({ minLength: 1 }),
  token_endpoint: Type.String({ minLength: 1 }),
  revocation_endpoint: Type.String({ minLength: 1 }),
  /** Required by RFC 8414 §2; empty because no authorization endpoint serves any response type. */
  response_types_supported: Strings(),
  grant_types_supported: Strings(),
  token_endpoint_auth_methods_supported: Strings(),
  /** Required by RFC 8414 §2 when `private_key_jwt` is among the methods. */
  token_endpoint_auth_signing_alg_values_supported: Strings(),
  revocation_endpoint_auth_methods_supported: Strings(),
  /** Required by RFC 8414 §2 when `private_key_jwt` is among the methods. */
  revocation_endpoint_auth_signing_alg_values_supported: Strings(),
  scopes_supported: Strings()
})
export type AuthorizationServerMetadata = Static<typeof AuthorizationServerMetadataSchema>

/**
 * OpenID Connect Discovery 1.0 metadata: the RFC 8414 members plus the two OIDC-only members
 * OIDC Discovery §3 requires. The service issues no ID tokens and has no authorization endpoint,
 * so `authorization_endpoint`, although §3 lists it as required, is left out rather than pointing
 * at an endpoint that does not exist (see the auth service's routes/discovery.ts).
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
