import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import {
  AUTHORIZATION_SERVER_METADATA_PATH, AuthorizationServerMetadataSchema, OPENID_CONFIGURATION_PATH, OpenIdConfigurationSchema,
  type AuthorizationServerMetadata, type OpenIdConfiguration
} from '@repo/contracts/discovery'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { REPORTS_READ, REPORTS_WRITE } from '@repo/contracts/scopes'
import { probeLogLevel } from '@repo/service-kit/logger'
import { REVOCATION_PATH, TOKEN_PATH } from './oauth-paths.js'

export interface DiscoveryRoutesOptions {
  issuer: string
  /**
   * The access tokens' algorithm: accepted, deliberately not published. The documents are the
   * same on every deployment; the JWKS says which algorithm each key is for.
   */
  signingAlg?: SigningAlgorithm
  maxAgeSeconds: number
  serviceLogLevel: string
}

/**
 * How the token and revocation endpoints authenticate clients (`none`: the login's public client,
 * which refreshes and revokes with its `client_id` alone), and the assertion algorithms of `private_key_jwt`.
 */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']
const CLIENT_ASSERTION_ALGS = ['RS256', 'ES256', 'EdDSA']

/**
 * RFC 8414 metadata: what the service does, and nothing it doesn't. There is no authorization
 * endpoint (so no `authorization_endpoint`, and no response type: never `token`, the implicit
 * flow); users log in at `POST /api/v1/auth`, which is not an OAuth endpoint and not advertised.
 */
export function buildAuthorizationServerMetadata ({ issuer }: Pick<DiscoveryRoutesOptions, 'issuer'>): AuthorizationServerMetadata {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    response_types_supported: [],
    grant_types_supported: ['client_credentials', 'refresh_token'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    scopes_supported: [REPORTS_READ, REPORTS_WRITE]
  }
}

/**
 * The same metadata as an OpenID Connect discovery document, for consumers that only know that
 * location. OIDC Discovery §3 requires four members this service cannot fill truthfully, because it
 * is not an OpenID Provider (no ID tokens, no authorization endpoint):
 * - `subject_types_supported: ['public']` is true of the access tokens' `sub`;
 * - `id_token_signing_alg_values_supported: ['RS256']` is the one value §3 makes mandatory. No ID
 *   token is ever signed; the access tokens' algorithm is whatever the JWKS says, on any deployment;
 * - `response_types_supported: []`, as in RFC 8414: no response type is served;
 * - `authorization_endpoint` is left out: naming one would send clients to an endpoint that does not
 *   exist. oauth4webapi and openid-client check only the HTTP status, that the body is a JSON object
 *   and that `issuer` equals the issuer asked for, so the document works with both.
 */
export function buildOpenIdConfiguration (options: Pick<DiscoveryRoutesOptions, 'issuer'>): OpenIdConfiguration {
  return {
    ...buildAuthorizationServerMetadata(options),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256']
  }
}

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414) and `GET /.well-known/openid-configuration`:
 * where the keys and endpoints are, for clients and consumers that discover them.
 */
export async function discoveryRoutes (fastify: FastifyInstance, options: DiscoveryRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const cacheControl = `public, max-age=${options.maxAgeSeconds}`
  const logLevel = probeLogLevel(options.serviceLogLevel)

  const metadata = buildAuthorizationServerMetadata(options)
  app.get(AUTHORIZATION_SERVER_METADATA_PATH, {
    schema: { response: { 200: AuthorizationServerMetadataSchema } },
    logLevel
  }, async (request, reply) => reply.header('cache-control', cacheControl).send(metadata))

  const configuration = buildOpenIdConfiguration(options)
  app.get(OPENID_CONFIGURATION_PATH, {
    schema: { response: { 200: OpenIdConfigurationSchema } },
    logLevel
  }, async (request, reply) => reply.header('cache-control', cacheControl).send(configuration))
}
