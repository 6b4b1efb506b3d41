import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { JWKS_PATH } from '@repo/contracts/jwks'
import {
  POLL_DELIVERY_METHOD,
  SSF_CONFIGURATION_PATH,
  SSF_STATUS_PATH,
  SSF_STREAMS_PATH,
  SSF_VERIFY_PATH,
  TransmitterMetadataSchema,
  type TransmitterMetadata
} from '@repo/contracts/ssf'
import { probeLogLevel } from '@repo/service-kit/logger'

export interface SsfConfigurationRoutesOptions {
  issuer: string
  /** `JWKS_MAX_AGE`: cached as long as the other metadata documents. */
  maxAgeSeconds: number
  serviceLogLevel: string
}

/** The OAuth 2.0 authorization scheme (CAEP interoperability profile §2.2): receivers get tokens here. */
const OAUTH_SCHEME = 'urn:ietf:rfc:6749'

/**
 * SSF 1.0 §7.1 transmitter metadata, with what the CAEP interoperability profile asks for. Poll
 * delivery only; no add/remove-subject endpoints: every subject is in every stream (`ALL`).
 */
export function buildTransmitterMetadata (issuer: string): TransmitterMetadata {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    delivery_methods_supported: [POLL_DELIVERY_METHOD],
    configuration_endpoint: `${issuer}${SSF_STREAMS_PATH}`,
    status_endpoint: `${issuer}${SSF_STATUS_PATH}`,
    verification_endpoint: `${issuer}${SSF_VERIFY_PATH}`,
    authorization_schemes: [{ spec_urn: OAUTH_SCHEME }],
    default_subjects: 'ALL'
  }
}

/** `GET /.well-known/ssf-configuration`: public, like the discovery documents (CORS: plugins/public-cors.ts). */
export async function ssfConfigurationRoutes (fastify: FastifyInstance, options: SsfConfigurationRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const metadata = buildTransmitterMetadata(options.issuer)
  const cacheControl = `public, max-age=${options.maxAgeSeconds}`
  app.get(SSF_CONFIGURATION_PATH, {
    schema: { response: { 200: TransmitterMetadataSchema } },
    logLevel: probeLogLevel(options.serviceLogLevel)
  }, async (request, reply) => reply.header('cache-control', cacheControl).send(metadata))
}
