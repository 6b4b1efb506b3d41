import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'
import { ProtectedResponseSchema, type ProtectedResponse } from '@repo/contracts/reports'
import { PROTECTED_MESSAGE } from '../protected-message.js'
import { AUDIENCE, ISSUER, JWKS_URL, LOG_LEVEL, PORT } from './peer-env.js'
import { ALLOWED_ALGS, CLOCK_TOLERANCE_SECONDS, bearerToken } from './peer-rules.js'

/**
 * Peer: Fastify with jose's remote key set and `jwtVerify`, as jose's docs show them. The key set
 * fetches the JWKS on first use and keeps the imported keys; every request verifies its token.
 */
const jwks = createRemoteJWKSet(JWKS_URL)

declare module 'fastify' {
  interface FastifyRequest {
    claims: JWTPayload | undefined
  }
}

const app = Fastify({ logger: { level: LOG_LEVEL } }).withTypeProvider<TypeBoxTypeProvider>()
app.decorateRequest('claims', undefined)
app.get('/health/ready', async () => ({ status: 'ok' }))

await app.register(async (api) => {
  api.addHook('onRequest', async (request, reply) => {
    try {
      const { payload } = await jwtVerify(bearerToken(request.headers.authorization) ?? '', jwks, {
        issuer: ISSUER, audience: AUDIENCE, algorithms: ALLOWED_ALGS, clockTolerance: CLOCK_TOLERANCE_SECONDS
      })
      request.claims = payload
    } catch {
      return reply.code(401).send({ error: 'invalid_token' })
    }
  })
  api.get('/protected', { schema: { response: { 200: ProtectedResponseSchema } } }, async (request) => ({
    message: PROTECTED_MESSAGE,
    claims: request.claims as ProtectedResponse['claims']
  }))
}, { prefix: '/api/v1' })

await app.listen({ port: PORT, host: '127.0.0.1' })
