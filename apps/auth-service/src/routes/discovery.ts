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
import {
  AUTHORIZATION_PATH, END_SESSION_PATH, PAR_PATH, USERINFO_PATH
} from '@repo/contracts/authorization'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { INTROSPECTION_PATH, REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'
import { DPOP_SIGNING_ALGS } from '@repo/dpop/constants'
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
 * How the token and revocation endpoints authenticate clients (`none`: a public client, registered
 * with `--public` or the login's own, which identifies itself with its `client_id` alone);
 * `private_key_jwt`'s assertion algorithms are the ones `authenticateClient` verifies, `ASSERTION_ALGORITHMS`.
 */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']
/** The introspection endpoint's: the same, less `none` (a public client cannot introspect). */
const INTROSPECTION_AUTH_METHODS = CLIENT_AUTH_METHODS.filter((method) => method !== 'none')

/** What an ID token and the userinfo endpoint can say about a user. */
const CLAIMS = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'preferred_username', 'role']

/**
 * RFC 8414 metadata: what the service does, and nothing it doesn't. People log in through the
 * authorization endpoint (response type `code` only: never `token`, the implicit flow; PKCE with
 * `S256` only); the JSON login `POST /api/v1/auth` is a demo convenience and not advertised.
 */
export function buildAuthorizationServerMetadata (
  { issuer }: Pick<DiscoveryRoutesOptions, 'issuer'>
): AuthorizationServerMetadata {
  return {
    issuer,
    authorization_endpoint: `${issuer}${AUTHORIZATION_PATH}`,
    pushed_authorization_request_endpoint: `${issuer}${PAR_PATH}`,
    require_pushed_authorization_requests: false,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    userinfo_endpoint: `${issuer}${USERINFO_PATH}`,
    end_session_endpoint: `${issuer}${END_SESSION_PATH}`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login'],
    claims_supported: CLAIMS,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    introspection_endpoint: `${issuer}${INTROSPECTION_PATH}`,
    introspection_endpoint_auth_methods_supported: INTROSPECTION_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: ['openid', REPORTS_READ, REPORTS_WRITE],
    // RFC 9449 §5.1: the proofs the token endpoint (and the userinfo endpoint) accept.
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS]
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
 * The same metadata as an OpenID Connect discovery document (OIDC Discovery §3), plus its two
 * OIDC-only members:
 * - `subject_types_supported: ['public']`: a user's `sub` is the same for every client;
 * - `id_token_signing_alg_values_supported`: what the service signs with (`signingAlgorithms`). §3
 *   asks for RS256 in the list; it is there on an RS256 deployment only, because clients such as
 *   oauth4webapi take the list as the algorithms to accept, and one the service never signs with
 *   has no place there.
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
