import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { OAuthTokenResponse } from '@repo/contracts/oauth'
import type { AuthenticatedClient } from '../authenticate-client.js'
import type { TokenRequestProof } from '../token-request-proof.js'
import { resourcesOf, tokenAudience } from '../../authorization/resource-indicators.js'
import { InvalidTargetError, UnauthorizedClientError } from '../oauth-errors.js'
import { grantScope } from '../scope.js'

/**
 * `client_credentials` (RFC 6749 §4.4): a confidential client allowed this grant gets an access
 * token for itself (`sub` is its id), with the scope it asks for within its own; bound to the key of
 * its DPoP proof when it sent one. Its `aud` is its registered audience, or the `resource` it names
 * among those it is registered for (RFC 8707).
 */
export async function clientCredentialsGrant (
  app: FastifyInstance, request: FastifyRequest, client: AuthenticatedClient,
  { scope: requestedScope, resources }: { scope: string | undefined, resources: readonly string[] },
  proof: TokenRequestProof
): Promise<OAuthTokenResponse> {
  if (client.kind === 'public' || !client.client.grantTypes.includes('client_credentials')) {
    throw new UnauthorizedClientError()
  }
  const { clientId } = client.client
  const scope = grantScope(requestedScope, client.client.scope)
  const target = tokenAudience(resources,
    { allowed: resourcesOf(client.client, client.client.audience), bound: [], fallback: client.client.audience })
  if ('refusal' in target) throw new InvalidTargetError({ message: target.refusal })
  const { audience } = target
  // The grant is good: the proof may take its place in the replay cache now, before the token is signed.
  await proof?.claim()
  const jkt = proof?.jkt
  const { accessToken, expiresIn } = await app.signAccessToken({ sub: clientId, clientId, audience, scope, jkt })
  request.log.info({ event: 'client_credentials_granted', client_id: clientId, scope }, 'access token issued')
  app.metrics.tokenRequests.inc({ grant_type: 'client_credentials', outcome: 'ok' })
  return { access_token: accessToken, token_type: proof ? 'DPoP' : 'Bearer', expires_in: expiresIn, scope }
}
