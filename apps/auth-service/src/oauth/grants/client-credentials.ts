import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { OAuthTokenResponse } from '@repo/contracts/oauth'
import type { AuthenticatedClient } from '../authenticate-client.js'
import type { TokenRequestProof } from '../token-request-proof.js'
import { UnauthorizedClientError } from '../oauth-errors.js'
import { grantScope } from '../scope.js'

/**
 * `client_credentials` (RFC 6749 §4.4): a confidential client allowed this grant gets an access
 * token for itself (`sub` is its id), with the scope it asks for within its own; bound to the key of
 * its DPoP proof when it sent one.
 */
export async function clientCredentialsGrant (
  app: FastifyInstance, request: FastifyRequest, client: AuthenticatedClient, requestedScope: string | undefined,
  proof: TokenRequestProof
): Promise<OAuthTokenResponse> {
  if (client.kind === 'public' || !client.client.grantTypes.includes('client_credentials')) {
    throw new UnauthorizedClientError()
  }
  const { clientId, audience } = client.client
  const scope = grantScope(requestedScope, client.client.scope)
  // The grant is good: the proof may take its place in the replay cache now, before the token is signed.
  await proof?.claim()
  const jkt = proof?.jkt
  const { accessToken, expiresIn } = await app.signAccessToken({ sub: clientId, clientId, audience, scope, jkt })
  request.log.info({ event: 'client_credentials_granted', client_id: clientId, scope }, 'access token issued')
  app.metrics.tokenRequests.inc({ grant_type: 'client_credentials', outcome: 'ok' })
  return { access_token: accessToken, token_type: proof ? 'DPoP' : 'Bearer', expires_in: expiresIn, scope }
}
