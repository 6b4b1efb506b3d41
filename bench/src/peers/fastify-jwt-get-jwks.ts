import Fastify, { type FastifyRequest } from 'fastify'
import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import buildGetJwks from 'get-jwks'
import { ProtectedResponseSchema, type ProtectedResponse } from '@repo/contracts/reports'
import { PROTECTED_MESSAGE } from '../protected-message.js'
import { AUDIENCE, ISSUER, LOG_LEVEL, PORT } from './peer-env.js'
import { ALLOWED_ALGS, CLOCK_TOLERANCE_SECONDS } from './peer-rules.js'

/**
 * Peer: @fastify/jwt with get-jwks, wired as both READMEs show (`decode: { complete: true }`, a
 * `secret` that asks get-jwks for the PEM of the token's `kid` at the token's `iss`, an onRequest
 * hook calling `jwtVerify`), plus the rules the others check: @fastify/jwt's `verify` options, and
 * get-jwks' own `issuersWhitelist` so an unlisted `iss` is never fetched from. (get-jwks' README
 * passes `issuersWhitelist` and `checkIssuer` to @fastify/jwt, which ignores both.) The get-jwks
 * here is the repository's installed copy, with patches/get-jwks@11.0.3.patch applied: keys go
 * through node:crypto instead of jwk-to-pem, still once per request.
 */
const getJwks = buildGetJwks({ issuersWhitelist: [ISSUER] })

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: ProtectedResponse['claims']
  }
}

const app = Fastify({ logger: { level: LOG_LEVEL } }).withTypeProvider<TypeBoxTypeProvider>()
await app.register(fastifyJwt, {
  decode: { complete: true },
  secret: (_request: FastifyRequest, token: TokenOrHeader) => {
    const { header: { kid, alg }, payload: { iss } } = token as {
      header: { kid?: string, alg: string }
      payload: { iss?: string }
    }
    return getJwks.getPublicKey({ kid, domain: iss, alg })
  },
  verify: {
    allowedIss: ISSUER, allowedAud: AUDIENCE, algorithms: ALLOWED_ALGS, clockTolerance: CLOCK_TOLERANCE_SECONDS * 1000
  }
})
app.get('/health/ready', async () => ({ status: 'ok' }))

await app.register(async (api) => {
  api.addHook('onRequest', async (request) => {
    await request.jwtVerify()
  })
  api.get('/protected', { schema: { response: { 200: ProtectedResponseSchema } } }, async (request) => ({
    message: PROTECTED_MESSAGE,
    claims: request.user
  }))
}, { prefix: '/api/v1' })

await app.listen({ port: PORT, host: '127.0.0.1' })
