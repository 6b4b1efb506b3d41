import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import {
  OAuthTokenResponseSchema, TOKEN_PATH, TokenRequestSchema, type TokenRequest
} from '@repo/contracts/oauth'
import {
  authenticateClient, authenticatedClientId, type AuthenticatedClient
} from '../../oauth/authenticate-client.js'
import { requestedResources } from '../../authorization/resource-indicators.js'
import { authorizationCodeGrant } from '../../oauth/grants/authorization-code.js'
import { clientCredentialsGrant } from '../../oauth/grants/client-credentials.js'
import { refreshTokenGrant } from '../../oauth/grants/refresh-token.js'
import { OAUTH_ERROR_RESPONSES } from '../../oauth/oauth-error-handler.js'
import { invalidRequest, UnsupportedGrantTypeError } from '../../oauth/oauth-errors.js'
import { sendDpopNonce, tokenRequestProof, type TokenRequestProof } from '../../oauth/token-request-proof.js'
import { credentialRateLimits } from '../../rate-limits/credential-limits.js'
import { clientIdOf } from './client-id-of.js'
import type { OAuthRoutesOptions } from './options.js'

/**
 * `POST /oauth/token` (RFC 6749 §3.2): authenticates the client, checks its DPoP proof if it sent
 * one (token-request-proof.ts), then hands both to its grant (oauth/grants/), which claims the proof's
 * `jti` once it found the grant good. With DPOP_NONCE every answer, a refusal included, carries the
 * current `DPoP-Nonce` (RFC 9449 §8).
 */
export async function tokenRoute (
  fastify: FastifyInstance, { issuer, audience, publicClientId, now }: OAuthRoutesOptions
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tokenEndpoint = `${issuer}${TOKEN_PATH}`

  /** The grant `body` asks for, with what is known of its client and its proof. */
  async function grant (
    request: FastifyRequest, body: TokenRequest, client: AuthenticatedClient, proof: TokenRequestProof
  ) {
    // RFC 8707 §2: the resource the access token is for (its `aud`); each grant checks it.
    const resources = requestedResources(body.resource)
    if (body.grant_type === 'authorization_code') {
      const exchange = {
        code: body.code, redirectUri: body.redirect_uri, codeVerifier: body.code_verifier, resources
      }
      return authorizationCodeGrant(app, request, client, exchange, { proof, now })
    }
    if (body.grant_type === 'client_credentials') {
      return clientCredentialsGrant(app, request, client, { scope: body.scope, resources }, proof)
    }
    if (body.grant_type === 'refresh_token') {
      const grant = {
        clientId: authenticatedClientId(client),
        registration: client.client,
        refreshToken: body.refresh_token,
        scope: body.scope,
        proof,
        resources
      }
      return refreshTokenGrant(app, request, grant, { audience, now })
    }
    if (body.grant_type === undefined) throw invalidRequest('grant_type is required')
    throw new UnsupportedGrantTypeError({ reason: `grant_type ${body.grant_type.slice(0, 60)}` })
  }

  app.post(TOKEN_PATH, {
    config: credentialRateLimits('oauth', clientIdOf),
    onSend: sendDpopNonce(app),
    schema: { body: TokenRequestSchema, response: { 200: OAuthTokenResponseSchema, ...OAUTH_ERROR_RESPONSES } }
  }, async (request, reply) => {
    const body = request.body
    const client = await authenticateClient(
      { authorization: request.headers.authorization, ...body },
      { clients: app.clients, issuer, publicClientId, now }
    )
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    const proof = await tokenRequestProof(app, request, client, tokenEndpoint)
    const answer = await grant(request, body, client, proof)
    // Each grant claims the proof itself, once the grant was found good and before it is used; this one
    // (a no-op then) keeps a grant that forgot from answering with a proof that could be replayed.
    await proof?.claim()
    return answer
  })
}
