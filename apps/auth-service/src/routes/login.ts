import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { LoginRequestSchema, TokenResponseSchema } from '@repo/contracts/login'
import { InvalidCredentialsError } from '../errors.js'

export const LOGIN_PATH = '/api/v1/auth'

/** `POST /api/v1/auth`: user name and password in, a signed access token out. */
export async function loginRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(LOGIN_PATH, {
    schema: {
      body: LoginRequestSchema,
      response: {
        200: TokenResponseSchema,
        400: ErrorBodySchema,
        401: ErrorBodySchema,
        413: ErrorBodySchema,
        415: ErrorBodySchema,
        503: ErrorBodySchema
      }
    }
  }, async (request, reply) => {
    const user = await app.users.verifyCredentials(request.body.userName, request.body.password)
    if (!user) throw new InvalidCredentialsError()
    const token = await app.issueToken(user)
    request.log.info({ sub: user.id, scope: token.scope }, 'access token issued')
    // RFC 6749 §5.1: token responses must not be cached.
    return reply.header('cache-control', 'no-store').send(token)
  })
}
