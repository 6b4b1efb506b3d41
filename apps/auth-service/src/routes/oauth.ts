import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { OAuthErrorSchema, OAuthTokenResponseSchema, RevocationRequestSchema, TokenRequestSchema, type OAuthError } from '@repo/contracts/oauth'
import { authenticateClient, type AuthenticatedClient } from '../oauth/authenticate-client.js'
import { acceptFormBodies } from '../oauth/form-body.js'
import { OAuthFailure } from '../oauth/oauth-failure.js'
import { refuseQueryParameters } from '../oauth/query-parameters.js'
import { grantScope } from '../oauth/scope.js'
import { grantTypeLabel } from '../plugins/metrics.js'
import { clientIdOf as clientNamedIn, credentialRateLimits } from '../plugins/rate-limits.js'
import { REVOCATION_PATH, TOKEN_PATH } from './oauth-paths.js'

export interface OAuthRoutesOptions {
  issuer: string
  /** The `aud` of users' access tokens (the refresh grant). */
  audience: string
  /** The login's public client. */
  publicClientId: string
  now: () => number
}

const ERROR_RESPONSES = { 400: OAuthErrorSchema, 401: OAuthErrorSchema, 413: OAuthErrorSchema, 429: OAuthErrorSchema, 503: OAuthErrorSchema }

/** The error handler of this scope: RFC 6749 §5.2 bodies, never the service's usual error body. */
function oauthErrorBody (error: Error & { statusCode?: number, validation?: unknown }): { status: number, body: OAuthError, headers: Record<string, string> } {
  if (error instanceof OAuthFailure) return { status: error.statusCode, body: { error: error.error, error_description: error.message }, headers: error.headers }
  if (error.validation) return { status: 400, body: { error: 'invalid_request', error_description: 'A parameter is malformed' }, headers: {} }
  // The brute-force limits (plugins/rate-limits.ts): RFC 6749 has no code for it; RFC 6585 §4 and Retry-After say it.
  if (error.statusCode === 429) return { status: 429, body: { error: 'temporarily_unavailable', error_description: 'Too many attempts, retry later' }, headers: (error as { headers?: Record<string, string> }).headers ?? {} }
  if (error.statusCode === 413) return { status: 413, body: { error: 'invalid_request', error_description: 'The request body is too large' }, headers: {} }
  // The database away (DatabaseUnavailableError) or no signing key: its Retry-After says when to try again.
  if (error.statusCode === 503) {
    const headers = (error as { headers?: Record<string, string> }).headers ?? {}
    return { status: 503, body: { error: 'temporarily_unavailable', error_description: 'Try again later' }, headers }
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: 400, body: { error: 'invalid_request', error_description: 'Malformed request' }, headers: {} }
  }
  return { status: 500, body: { error: 'temporarily_unavailable', error_description: 'Internal error' }, headers: {} }
}

/**
 * `POST /oauth/token` (RFC 6749 §3.2: `client_credentials` and `refresh_token`) and
 * `POST /oauth/revoke` (RFC 7009), in one scope with form bodies and OAuth error bodies.
 */
export async function oauthRoutes (fastify: FastifyInstance, { issuer, audience, publicClientId, now }: OAuthRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  acceptFormBodies(app)
  refuseQueryParameters(app)
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const { status, body, headers } = oauthErrorBody(error)
    // A 503 is a known state (logged once per database outage), not a failure to investigate per request.
    if (status >= 500 && status !== 503) request.log.error({ err: error }, 'OAuth request failed')
    else request.log.info({ error: body.error, reason: (error as OAuthFailure).reason ?? error.message }, 'OAuth request refused')
    if (request.routeOptions.url === TOKEN_PATH) {
      const grantType = (request.body as { grant_type?: unknown } | undefined)?.grant_type
      app.metrics.tokenRequests.inc({ grant_type: grantTypeLabel(grantType), outcome: body.error })
    }
    if (body.error === 'invalid_client') request.log.info({ event: 'client_authentication_failed', ip: request.ip }, 'client authentication failed')
    return reply.code(status).headers({ ...headers, 'cache-control': 'no-store' }).send(body)
  })

  const authenticate = (request: FastifyRequest, body: Record<string, string | undefined>) => authenticateClient(
    { authorization: request.headers.authorization, ...body },
    { clients: app.clients, issuer, publicClientId, now }
  )
  const clientIdOf = (client: AuthenticatedClient) => client.kind === 'public' ? client.clientId : client.client.clientId

  app.post(TOKEN_PATH, {
    config: credentialRateLimits('oauth', clientNamedIn),
    schema: { body: TokenRequestSchema, response: { 200: OAuthTokenResponseSchema, ...ERROR_RESPONSES } }
  }, async (request, reply) => {
    const body = request.body
    const client = await authenticate(request, body)
    const clientId = clientIdOf(client)
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')

    if (body.grant_type === 'client_credentials') {
      if (client.kind === 'public' || !client.client.grantTypes.includes('client_credentials')) {
        throw new OAuthFailure('unauthorized_client', 'This client may not use client_credentials')
      }
      const scope = grantScope(body.scope, client.client.scope)
      const { accessToken, expiresIn } = await app.signAccessToken({ sub: clientId, clientId, audience: client.client.audience, scope })
      request.log.info({ event: 'client_credentials_granted', client_id: clientId, scope }, 'access token issued')
      app.metrics.tokenRequests.inc({ grant_type: 'client_credentials', outcome: 'ok' })
      return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: expiresIn, scope }
    }

    if (body.grant_type === 'refresh_token') {
      if (body.refresh_token === undefined) throw new OAuthFailure('invalid_request', 'refresh_token is required')
      // The user is read before the rotation commits: a statement failing after it (the database gone)
      // would answer 503 for a rotation that happened, and the client's retry would count as reuse.
      const holder = await app.refreshTokens.grantOf(body.refresh_token)
      const holderUser = holder && await app.users.findById(holder.userId)
      let scope = ''
      const redemption = await app.refreshTokens.redeem(body.refresh_token, now(), (grant) => {
        // RFC 6749 §6: the token must have been issued to this client, and a scope may only narrow.
        if (grant.clientId !== clientId) return new OAuthFailure('invalid_grant', 'The refresh token is invalid', { reason: `refresh token of client ${grant.clientId} presented by ${clientId}` })
        try {
          scope = grantScope(body.scope, grant.scope)
        } catch (error) {
          return error as OAuthFailure
        }
        return undefined
      })
      if (!redemption.ok) {
        if (redemption.reason === 'refused') throw redemption.refusal
        if (redemption.reason === 'reused') {
          app.metrics.refreshTokenReuseDetections.inc()
          request.log.warn({ event: 'refresh_token_reused', client_id: clientId, sub: redemption.grant?.userId }, 'a used refresh token was presented again: its family is revoked')
        }
        throw new OAuthFailure('invalid_grant', 'The refresh token is invalid', { reason: `refresh token ${redemption.reason}` })
      }
      const user = holderUser?.id === redemption.grant.userId ? holderUser : undefined
      if (!user) throw new OAuthFailure('invalid_grant', 'The refresh token is invalid', { reason: 'the user no longer exists' })
      const { accessToken, expiresIn } = await app.signAccessToken({ sub: user.id, clientId, audience, scope, role: user.role })
      // A retry within REFRESH_TOKEN_REUSE_GRACE gets the successor it was given before: no new rotation.
      const event = redemption.replayed ? 'refresh_token_replayed' : 'refresh_token_rotated'
      request.log.info({ event, client_id: clientId, sub: user.id }, 'access token refreshed')
      app.metrics.tokenRequests.inc({ grant_type: 'refresh_token', outcome: 'ok' })
      return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: expiresIn, scope, refresh_token: redemption.refreshToken }
    }

    if (body.grant_type === undefined) throw new OAuthFailure('invalid_request', 'grant_type is required')
    throw new OAuthFailure('unsupported_grant_type', 'This grant type is not supported', { reason: `grant_type ${body.grant_type.slice(0, 60)}` })
  })

  app.post(REVOCATION_PATH, {
    config: credentialRateLimits('oauth', clientNamedIn),
    schema: { body: RevocationRequestSchema, response: { 200: Type.Null(), ...ERROR_RESPONSES } }
  }, async (request, reply) => {
    const body = request.body
    const client = await authenticate(request, body)
    if (body.token === undefined) throw new OAuthFailure('invalid_request', 'token is required')
    const outcome = await app.refreshTokens.revoke(body.token, clientIdOf(client), now())
    if (outcome === 'other-client') throw new OAuthFailure('invalid_request', 'The token was not issued to this client')
    // RFC 7009 §2.2: an unknown token (an access token, say: they cannot be revoked, they expire) is 200 too.
    if (outcome === 'revoked') request.log.info({ event: 'refresh_token_revoked', client_id: clientIdOf(client) }, 'refresh token revoked')
    // No body: the client ignores it (RFC 7009 §2.2).
    return reply.code(200).header('cache-control', 'no-store').send(undefined as unknown as null)
  })
}
