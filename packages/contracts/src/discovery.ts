import Type, { type Static } from 'typebox'

/** Path of the OpenID Provider Configuration document, relative to the issuer. */
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration'

/** The subset of OpenID Connect Discovery 1.0 metadata the auth service publishes. */
export const OpenIdConfigurationSchema = Type.Object({
  issuer: Type.String({ minLength: 1 }),
  jwks_uri: Type.String({ minLength: 1 }),
  token_endpoint: Type.String({ minLength: 1 }),
  response_types_supported: Type.Array(Type.String()),
  subject_types_supported: Type.Array(Type.String()),
  id_token_signing_alg_values_supported: Type.Array(Type.String()),
  token_endpoint_auth_methods_supported: Type.Array(Type.String()),
  scopes_supported: Type.Array(Type.String()),
  claims_supported: Type.Array(Type.String())
})
export type OpenIdConfiguration = Static<typeof OpenIdConfigurationSchema>

/** What a consumer needs from the discovery document; other members are ignored. */
export const DiscoveredIssuerSchema = Type.Object({
  issuer: Type.String({ minLength: 1 }),
  jwks_uri: Type.String({ minLength: 1 })
})
export type DiscoveredIssuer = Static<typeof DiscoveredIssuerSchema>
