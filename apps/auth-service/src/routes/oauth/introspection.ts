import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { INTROSPECTION_PATH, IntrospectionRequestSchema, IntrospectionResponseSchema } from '@repo/contracts/oauth'
import { tokenIntrospection } from '../../introspection/introspect-token.js'
import { OAUTH_ERROR_RESPONSES } from '../../oauth/oauth-error-handler.js'
import { invalidClient } from '../../oauth/oauth-errors.js'
import { credentialRateLimits } from '../../rate-limits/credential-limits.js'
import { ownAccessTokens } from '../../userinfo/own-access-tokens.js'
import { clientIdOf } from './client-id-of.js'
import type { OAuthRoutesOptions } from './options.js'
import { requiredToken, tokenCaller } from './token-caller.js'

/**
 * `POST /oauth/introspect` (RFC 7662): a confidential client asks whether a token is active and what
 * it says (introspection/introspect-token.ts decides who may see which token). Clients authenticate
 * as at the revocation endpoint, under the same rate limits; a public client cannot introspect (401
 * `invalid_client`, as a caller without credentials). Answers are never cached (§2.2).
 */
export async function introspectionRoute (fastify: FastifyInstance, options: OAuthRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { issuer, clockToleranceSeconds, now } = options
  const introspect = tokenIntrospection({
    issuer,
    verifyAccessToken: ownAccessTokens({ issuer, keyRing: app.keyRing, clockToleranceSeconds, now }),
    inspectRefreshToken: (token, at) => app.refreshTokens.inspect(token, at),
    sessionEnded: (sid) => app.sessions.hasEnded(sid),
    now
  })

  app.post(INTROSPECTION_PATH, {
    config: credentialRateLimits('oauth', clientIdOf),
    schema: {
      body: IntrospectionRequestSchema,
      response: { 200: IntrospectionResponseSchema, ...OAUTH_ERROR_RESPONSES }
    }
  }, async (request, reply) => {
    const body = request.body
    const caller = await tokenCaller(app, request, body, options)
    // Introspection answers about other clients' tokens: only a client that proves who it is may ask.
    if (caller.kind === 'public') throw invalidClient(`public client ${caller.clientId} may not introspect`)
    const token = requiredToken(body)
    const { answer, kind, jti } = await introspect(token, body.token_type_hint, caller.client)
    // The token's `jti` at most: never the token, which is a credential.
    const clientId = caller.client.clientId
    request.log.debug({ event: 'token_introspected', client_id: clientId, kind, jti, active: answer.active },
      'token introspected')
    return reply.header('cache-control', 'no-store').send(answer)
  })
}
