import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { probeLogLevel } from '@repo/service-kit/logger'
import { JWKS_MEDIA_TYPE, JWKS_PATH, JwksSchema } from '@repo/contracts/jwks'
import { matchesIfNoneMatch } from '../keys/jwks-document.js'

export interface JwksRoutesOptions {
  maxAgeSeconds: number
  serviceLogLevel: string
}

/** `GET /.well-known/jwks.json`: the public keys, pre-serialized, cacheable and revalidated by ETag. */
export async function jwksRoutes (app: FastifyInstance, { maxAgeSeconds, serviceLogLevel }: JwksRoutesOptions) {
  // No type provider here: the handler sends the pre-serialized string, not a typed object.
  const cacheControl = `public, max-age=${maxAgeSeconds}`

  app.get(JWKS_PATH, {
    schema: { response: { 200: JwksSchema, 304: Type.Null() } },
    logLevel: probeLogLevel(serviceLogLevel)
  }, async (request, reply) => {
    const jwks = app.keyRing.jwks()
    reply.header('cache-control', cacheControl).header('etag', jwks.etag)
    if (matchesIfNoneMatch(request.headers['if-none-match'], jwks.etag)) {
      return reply.code(304).send()
    }
    // A string body skips the serializer: the document was built, from an allow-list, once per key change.
    return reply.type(JWKS_MEDIA_TYPE).send(jwks.body)
  })
}
