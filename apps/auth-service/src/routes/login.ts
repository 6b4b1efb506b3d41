import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { LOGIN_PATH, LoginRequestSchema, TokenResponseSchema } from '@repo/contracts/login'
import { ROLE_SCOPES } from '@repo/contracts/scopes'
import { InvalidCredentialsError } from '../errors.js'
import { credentialRateLimits } from '../rate-limits/credential-limits.js'

export interface LoginRoutesOptions {
  /** The `aud` of the access tokens login issues. */
  audience: string
  /** The (public) client login issues tokens to: `client_id` in the tokens, and the client that refreshes them. */
  clientId: string
  now: () => number
}

/** The name the rate limits count a login's failures against: `userName` of the JSON body. */
export function userNameOf (request: FastifyRequest): string | undefined {
  const userName = (request.body as { userName?: unknown } | undefined)?.userName
  return typeof userName === 'string' ? userName : undefined
}

/** `POST /api/v1/auth`: user name and password in, a signed access token and a refresh token out. */
export async function loginRoutes (fastify: FastifyInstance, { audience, clientId, now }: LoginRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(LOGIN_PATH, {
    // Per client IP, and failures per user name (see CredentialLimits).
    config: credentialRateLimits('login', userNameOf),
    schema: {
      body: LoginRequestSchema,
      response: {
        200: TokenResponseSchema,
        400: ErrorBodySchema,
        401: ErrorBodySchema,
        413: ErrorBodySchema,
        415: ErrorBodySchema,
        429: ErrorBodySchema,
        503: ErrorBodySchema
      }
    }
  }, async (request, reply) => {
    const { userName } = request.body
    const user = await app.users.verifyCredentials(userName, request.body.password)
    // Audit events: who tried, from where, and whether it worked; never the password.
    if (!user) {
      request.log.info({ event: 'login_failed', userName, ip: request.ip }, 'login failed')
      app.metrics.logins.inc({ outcome: 'failed' })
      throw new InvalidCredentialsError()
    }
    request.log.info({ event: 'login_succeeded', userName, sub: user.id, ip: request.ip }, 'login succeeded')
    app.metrics.logins.inc({ outcome: 'succeeded' })
    const scope = ROLE_SCOPES[user.role].join(' ')
    const { accessToken, expiresIn } = await app.signAccessToken({
      sub: user.id,
      clientId,
      audience,
      scope,
      role: user.role
    })
    const refreshToken = await app.refreshTokens.issue({ userId: user.id, clientId, scope }, now())
    request.log.info({ sub: user.id, scope }, 'access token issued')
    // RFC 6749 §5.1: token responses must not be cached.
    return reply.header('cache-control', 'no-store')
      .send({
        access_token: accessToken,
        token_type: 'Bearer' as const,
        expires_in: expiresIn,
        scope,
        refresh_token: refreshToken
      })
  })
}
