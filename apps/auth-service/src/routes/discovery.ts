import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import {
  AUTHORIZATION_SERVER_METADATA_PATH,
  AuthorizationServerMetadataSchema,
  OPENID_CONFIGURATION_PATH,
  OpenIdConfigurationSchema,
  type AuthorizationServerMetadata,
  type OpenIdConfiguration
} from '@repo/contracts/discovery'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'
import { REPORTS_READ, REPORTS_WRITE } from '@repo/contracts/scopes'
import { probeLogLevel } from '@repo/service-kit/logger'
import type { JwksDocument } from '../keys/jwks-document.js'
import { ASSERTION_ALGORITHMS } from '../oauth/authenticate-client.js'

export interface DiscoveryRoutesOptions {
  issuer: string
  /** The published keys: their algorithms are the ones the service signs with. */
  keyRing: { jwks: () => JwksDocument }
  /** `SIGNING_ALG`: named when no key is published (never, once the service has started). */
  signingAlg: SigningAlgorithm
  maxAgeSeconds: number
  serviceLogLevel: string
}

/**
 * How the token and revocation endpoints authenticate clients (`none`: the login's public client,
 * which refreshes and revokes with its `client_id` alone); `private_key_jwt`'s assertion algorithms
 * are the ones `authenticateClient` verifies, `ASSERTION_ALGORITHMS`.
 */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']

/**
 * RFC 8414 metadata: what the service does, and nothing it doesn't. There is no authorization
 * endpoint (so no `authorization_endpoint`, and no response type: never `token`, the implicit
 * flow); users log in at `POST /api/v1/auth`, which is not an OAuth endpoint and not advertised.
 */
export function buildAuthorizationServerMetadata (
  { issuer }: Pick<DiscoveryRoutesOptions, 'issuer'>
): AuthorizationServerMetadata {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    response_types_supported: [],
    grant_types_supported: ['client_credentials', 'refresh_token'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: [REPORTS_READ, REPORTS_WRITE]
  }
}

/**
 * The algorithms the service signs with: those of the published keys, in a fixed order, or
 * `fallback` when none is published. The published keys, not SIGNING_ALG alone: while the
 * algorithm changes, the new one is published before it signs and the old one stays while tokens
 * it signed live, and a client that takes this list as its allowed algorithms must accept both.
 */
export function signingAlgorithms (jwks: Pick<JwksDocument, 'keys'>, fallback: SigningAlgorithm): SigningAlgorithm[] {
  const published = new Set(jwks.keys.map((key) => key.alg))
  return published.size === 0 ? [fallback] : SIGNING_ALGORITHMS.filter((alg) => published.has(alg))
}

/**
 * The same metadata as an OpenID Connect discovery document, for consumers that only know that
 * location. OIDC Discovery §3 requires four members this service cannot fill truthfully, because it
 * is not an OpenID Provider (no authorization endpoint):
 * - `subject_types_supported: ['public']` is true of the access tokens' `sub`;
 * - `id_token_signing_alg_values_supported`: what the service signs with (`signingAlgorithms`). §3
 *   asks for RS256 in the list; it is there on an RS256 deployment only, because clients such as
 *   oauth4webapi take the list as the algorithms to accept, and one the service never signs with
 *   has no place there;
 * - `response_types_supported: []`, as in RFC 8414: no response type is served;
 * - `authorization_endpoint` is left out: naming one would send clients to an endpoint that does not
 *   exist. oauth4webapi and openid-client check only the HTTP status, that the body is a JSON object
 *   and that `issuer` equals the issuer asked for, so the document works with both.
 */
export function buildOpenIdConfiguration (
  options: Pick<DiscoveryRoutesOptions, 'issuer'>, algorithms: readonly SigningAlgorithm[]
): OpenIdConfiguration {
  return {
    ...buildAuthorizationServerMetadata(options),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...algorithms]
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

  // Rebuilt only when the key ring publishes a new JWKS document, which it does on a key change.
  let configuration: { jwks: JwksDocument, document: OpenIdConfiguration } | undefined
  const currentConfiguration = () => {
    const jwks = options.keyRing.jwks()
    if (configuration?.jwks !== jwks) {
      configuration = { jwks, document: buildOpenIdConfiguration(options, signingAlgorithms(jwks, options.signingAlg)) }
    }
    return configuration.document
  }
  app.get(OPENID_CONFIGURATION_PATH, {
    schema: { response: { 200: OpenIdConfigurationSchema } },
    logLevel
  }, async (request, reply) => reply.header('cache-control', cacheControl).send(currentConfiguration()))
}
