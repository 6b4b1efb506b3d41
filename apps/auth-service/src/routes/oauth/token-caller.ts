import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { RevocationRequest } from '@repo/contracts/oauth'
import { authenticateClient, type AuthenticatedClient } from '../../oauth/authenticate-client.js'
import { invalidRequest } from '../../oauth/oauth-errors.js'
import type { OAuthRoutesOptions } from './options.js'

/**
 * The client of a request about a token it holds, revocation (RFC 7009 §2.1) or introspection
 * (RFC 7662 §2.1), authenticated as at the token endpoint; `body` is the form (both share its members).
 */
export function tokenCaller (
  app: FastifyInstance, request: FastifyRequest, body: RevocationRequest,
  { issuer, publicClientId, now }: Pick<OAuthRoutesOptions, 'issuer' | 'publicClientId' | 'now'>
): Promise<AuthenticatedClient> {
  return authenticateClient(
    { authorization: request.headers.authorization, ...body },
    { clients: app.clients, issuer, publicClientId, now }
  )
}

/** The `token` member both endpoints require, once the caller is known: RFC 6749 §5.2 `invalid_request` without it. */
export function requiredToken (body: RevocationRequest): string {
  if (body.token === undefined) throw invalidRequest('token is required')
  return body.token
}
