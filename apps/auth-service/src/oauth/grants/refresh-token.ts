import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { OAuthTokenResponse } from '@repo/contracts/oauth'
import type { Client } from '../../clients/client-store.js'
import type { HttpError } from '../../http-error.js'
import { resourcesOf, tokenAudience } from '../../authorization/resource-indicators.js'
import { InvalidGrantError, InvalidTargetError, invalidRequest } from '../oauth-errors.js'
import { grantScope } from '../scope.js'
import type { RefreshGrant } from '../../tokens/refresh-token-store.js'
import type { TokenRequestProof } from '../token-request-proof.js'

export interface RefreshTokenRequest {
  /** The authenticated client's id. */
  clientId: string
  /** Its registration, as its authentication read it; none for the login's own client. */
  registration: Client | undefined
  refreshToken: string | undefined
  scope: string | undefined
  /** The request's DPoP proof: binds the new access token, and unlocks a bound refresh token. */
  proof: TokenRequestProof
  /** RFC 8707 `resource`: at most one, among those the grant's authorization named (or the client's). */
  resources: readonly string[]
}

export interface RefreshTokenGrantOptions {
  /** The `aud` of users' access tokens when the client has no registration (the login's own client). */
  audience: string
  now: () => number
}

/**
 * `refresh_token` (RFC 6749 §6): the token is rotated (its successor is in the answer) and a new
 * access token issued for its user. A used token presented again revokes its family, except a retry
 * within REFRESH_TOKEN_REUSE_GRACE, which gets the successor it was given before. A token bound to a
 * DPoP key (a public client's, RFC 9449 §5) is redeemed only with a proof by that key.
 */
export async function refreshTokenGrant (
  app: FastifyInstance, request: FastifyRequest,
  { clientId, registration, refreshToken, scope: requested, proof, resources }: RefreshTokenRequest,
  { audience, now }: RefreshTokenGrantOptions
): Promise<OAuthTokenResponse> {
  if (refreshToken === undefined) throw invalidRequest('refresh_token is required')
  // The user is read before the rotation commits: a statement failing after it (the database gone)
  // would answer 503 for a rotation that happened, and the client's retry would count as reuse.
  const holder = await app.refreshTokens.grantOf(refreshToken)
  const holderUser = holder && await app.users.findById(holder.userId)
  // A registered client (the code flow) gets the audience it was registered with, as at its code exchange.
  // Its registration came with its authentication; only the login's own client is looked up (it has none).
  const registered = registration ?? await app.clients.find(clientId)
  let scope = ''
  let tokenAudienceValue = registered?.audience ?? audience
  const refusalOf = (grant: RefreshGrant): HttpError | undefined => {
    // RFC 6749 §6: the token must have been issued to this client, and a scope may only narrow.
    if (grant.clientId !== clientId) {
      return new InvalidGrantError({ reason: `refresh token of client ${grant.clientId} presented by ${clientId}` })
    }
    // A stolen bound token is useless without the key; refused here, it stays unused for its owner.
    if (grant.dpopJkt !== undefined && grant.dpopJkt !== proof?.jkt) {
      return new InvalidGrantError({
        reason: `a DPoP-bound refresh token ${proof ? 'with a proof by another key' : 'without a proof'}`
      })
    }
    try {
      scope = grantScope(requested, grant.scope)
    } catch (error) {
      return error as HttpError
    }
    // RFC 8707: the family keeps what its authorization named; a refresh may narrow to one of them.
    const target = tokenAudience(resources, {
      allowed: resourcesOf(registered, audience),
      bound: grant.resources ?? [],
      fallback: registered?.audience ?? audience
    })
    if ('refusal' in target) return new InvalidTargetError({ message: target.refusal })
    tokenAudienceValue = target.audience
    return undefined
  }
  // The proof's replay check comes after the token was found good for this client (and key) and before
  // it is rotated: a bad token takes no room in the replay cache, and a refused proof leaves the token
  // for a retry with a new one (claimed after the rotation, a refusal would spend it). A token found bad
  // here goes on to `redeem` unclaimed, for its refusal (and a reused token's revocation).
  if (holder !== undefined && refusalOf(holder) === undefined) await proof?.claim()
  const redemption = await app.refreshTokens.redeem(refreshToken, now(), refusalOf)
  if (!redemption.ok) {
    if (redemption.reason === 'refused') throw redemption.refusal
    if (redemption.reason === 'reused') {
      app.metrics.refreshTokenReuseDetections.inc()
      request.log.warn({ event: 'refresh_token_reused', client_id: clientId, sub: redemption.grant?.userId },
        'a used refresh token was presented again: its family is revoked')
    }
    throw new InvalidGrantError({ reason: `refresh token ${redemption.reason}` })
  }
  const user = holderUser?.id === redemption.grant.userId ? holderUser : undefined
  if (!user) throw new InvalidGrantError({ reason: 'the user no longer exists' })
  // Claimed above unless the token turned good between the two reads: then now, still before any token.
  await proof?.claim()
  // A family from a browser login keeps its session's `sid` through every rotation; the JSON login's has none.
  const { accessToken, expiresIn } = await app.signAccessToken({
    sub: user.id,
    clientId,
    audience: tokenAudienceValue,
    scope,
    role: user.role,
    jkt: proof?.jkt,
    sid: redemption.grant.sessionId
  })
  // A retry within REFRESH_TOKEN_REUSE_GRACE gets the successor it was given before: no new rotation.
  const event = redemption.replayed ? 'refresh_token_replayed' : 'refresh_token_rotated'
  request.log.info({ event, client_id: clientId, sub: user.id }, 'access token refreshed')
  app.metrics.tokenRequests.inc({ grant_type: 'refresh_token', outcome: 'ok' })
  const successor = redemption.refreshToken
  const tokenType = proof ? 'DPoP' : 'Bearer'
  return { access_token: accessToken, token_type: tokenType, expires_in: expiresIn, scope, refresh_token: successor }
}
