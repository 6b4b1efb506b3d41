import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { ProtectedResponseSchema } from '@repo/contracts/reports'

/** Status codes any authenticated route can answer besides its success. */
export const AUTH_ERROR_RESPONSES = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  503: ErrorBodySchema
}

/** `GET /api/v1/protected`: any valid access token; answers with the claims it verified. */
export async function protectedRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/protected', {
    schema: { response: { 200: ProtectedResponseSchema, ...AUTH_ERROR_RESPONSES } }
  }, async (request) => ({
    message: 'Access granted: the token was verified against its issuer\'s JWKS',
    claims: request.user
  }))
}
