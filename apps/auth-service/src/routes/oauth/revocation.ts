import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { REVOCATION_PATH, RevocationRequestSchema } from '@repo/contracts/oauth'
import { authenticatedClientId } from '../../oauth/authenticate-client.js'
import { OAUTH_ERROR_RESPONSES } from '../../oauth/oauth-error-handler.js'
import { invalidRequest } from '../../oauth/oauth-errors.js'
import { credentialRateLimits } from '../../rate-limits/credential-limits.js'
import { clientIdOf } from './client-id-of.js'
import { requiredToken, tokenCaller } from './token-caller.js'
import type { OAuthRoutesOptions } from './options.js'

/** `POST /oauth/revoke` (RFC 7009): a client revokes a refresh token it was issued, and its family. */
export async function revocationRoute (fastify: FastifyInstance, { issuer, publicClientId, now }: OAuthRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(REVOCATION_PATH, {
    config: credentialRateLimits('oauth', clientIdOf),
    schema: { body: RevocationRequestSchema, response: { 200: Type.Null(), ...OAUTH_ERROR_RESPONSES } }
  }, async (request, reply) => {
    const body = request.body
    const client = await tokenCaller(app, request, body, { issuer, publicClientId, now })
    const token = requiredToken(body)
    const clientId = authenticatedClientId(client)
    const outcome = await app.refreshTokens.revoke(token, clientId, now())
    if (outcome === 'other-client') throw invalidRequest('The token was not issued to this client')
    // RFC 7009 §2.2: an unknown token (an access token, say: they cannot be revoked, they expire) is 200 too.
    if (outcome === 'revoked') {
      request.log.info({ event: 'refresh_token_revoked', client_id: clientId }, 'refresh token revoked')
    }
    // No body: the client ignores it (RFC 7009 §2.2).
    return reply.code(200).header('cache-control', 'no-store').send(undefined as unknown as null)
  })
}
