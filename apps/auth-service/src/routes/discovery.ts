import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { OPENID_CONFIGURATION_PATH, OpenIdConfigurationSchema, type OpenIdConfiguration } from '@repo/contracts/discovery'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { REPORTS_READ, REPORTS_WRITE } from '@repo/contracts/scopes'
import { probeLogLevel } from '@repo/service-kit/logger'
import { LOGIN_PATH } from './login.js'

export interface DiscoveryRoutesOptions {
  issuer: string
  signingAlg: SigningAlgorithm
  maxAgeSeconds: number
  serviceLogLevel: string
}

export function buildOpenIdConfiguration ({ issuer, signingAlg }: DiscoveryRoutesOptions): OpenIdConfiguration {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    token_endpoint: `${issuer}${LOGIN_PATH}`,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [signingAlg],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: [REPORTS_READ, REPORTS_WRITE],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope', 'role']
  }
}

/** `GET /.well-known/openid-configuration`: where the keys are, for consumers that discover them. */
export async function discoveryRoutes (fastify: FastifyInstance, options: DiscoveryRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const document = buildOpenIdConfiguration(options)
  const cacheControl = `public, max-age=${options.maxAgeSeconds}`

  app.get(OPENID_CONFIGURATION_PATH, {
    schema: { response: { 200: OpenIdConfigurationSchema } },
    logLevel: probeLogLevel(options.serviceLogLevel)
  }, async (request, reply) => reply.header('cache-control', cacheControl).send(document))
}
