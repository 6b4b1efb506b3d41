import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { OAuthTokenResponse } from '@repo/contracts/oauth'
import { parseScope } from '@repo/contracts/scopes'
import type { AuthorizationCodeGrant } from '../../authorization/authorization-code-store.js'
import { resourcesOf, tokenAudience } from '../../authorization/resource-indicators.js'
import type { HttpError } from '../../http-error.js'
import type { AuthenticatedClient } from '../authenticate-client.js'
import {
  CodeFlowUnauthorizedError, InvalidAuthorizationCodeError, InvalidTargetError, invalidRequest
} from '../oauth-errors.js'
import type { TokenRequestProof } from '../token-request-proof.js'

export interface AuthorizationCodeRequest {
  code: string | undefined
  redirectUri: string | undefined
  codeVerifier: string | undefined
  /** RFC 8707 `resource`: at most one, among those the authorization request named (or the client's). */
  resources: readonly string[]
}

export interface AuthorizationCodeGrantOptions {
  /** The request's DPoP proof: binds the access token, and a public client's refresh tokens. */
  proof: TokenRequestProof
  now: () => number
}

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/** Whether `verifier` is the one `challenge` was made from (RFC 7636 §4.6, S256 only). */
export function verifierMatches (verifier: string, challenge: string): boolean {
  if (!CODE_VERIFIER.test(verifier)) return false
  const computed = createHash('sha256').update(verifier).digest()
  const expected = Buffer.from(challenge, 'base64url')
  return expected.length === computed.length && timingSafeEqual(computed, expected)
}

/**
 * `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): a code is exchanged once, by the client it
 * was issued to, with the same redirect URI and the PKCE verifier of its challenge. The answer: an
 * access token for the user, a refresh token when the client may refresh, an ID token for `openid`.
 * A code asked for with `dpop_jkt` is exchanged only with a proof by that key (RFC 9449 §10); with a
 * proof, the access token is bound to its key, and so are a public client's refresh tokens (§5). The
 * `aud` is the client's audience, or a resource (RFC 8707) the authorization request named, or the client
 * may ask for (resource-indicators.ts); the refresh tokens keep the resources the authorization named.
 */
export async function authorizationCodeGrant (
  app: FastifyInstance, request: FastifyRequest, authenticated: AuthenticatedClient,
  { code, redirectUri, codeVerifier, resources }: AuthorizationCodeRequest,
  { proof, now }: AuthorizationCodeGrantOptions
): Promise<OAuthTokenResponse> {
  const client = authenticated.client
  if (!client?.grantTypes.includes('authorization_code')) throw new CodeFlowUnauthorizedError()
  if (code === undefined) throw invalidRequest('code is required')
  if (redirectUri === undefined) throw invalidRequest('redirect_uri is required')
  if (codeVerifier === undefined) throw invalidRequest('code_verifier is required')

  const time = now()
  let audience = client.audience
  const problemOf = (grant: AuthorizationCodeGrant) => {
    if (grant.clientId !== client.clientId) return `code of client ${grant.clientId} presented by ${client.clientId}`
    if (grant.redirectUri !== redirectUri) return 'redirect_uri differs from the authorization request\'s'
    if (!verifierMatches(codeVerifier, grant.codeChallenge)) return 'code_verifier does not match the code_challenge'
    if (grant.dpopJkt !== undefined && grant.dpopJkt !== proof?.jkt) {
      return `a code bound to a DPoP key (dpop_jkt) ${proof ? 'with a proof by another key' : 'without a proof'}`
    }
    return undefined
  }
  // A refusal leaves the code unused: its client may retry, with the right verifier or resource.
  const refusalOf = (grant: AuthorizationCodeGrant): HttpError | undefined => {
    const reason = problemOf(grant)
    if (reason !== undefined) return new InvalidAuthorizationCodeError({ reason })
    const target = tokenAudience(resources,
      { allowed: resourcesOf(client, client.audience), bound: grant.resources ?? [], fallback: client.audience })
    if ('refusal' in target) return new InvalidTargetError({ message: target.refusal })
    audience = target.audience
    return undefined
  }
  // The proof's replay check comes after the code was found good and before the code is used: a bad
  // code takes no room in the replay cache, and a refused proof leaves the code for a retry with a new
  // one (claimed after the redemption, a refusal would burn the code). A code found bad here goes on
  // to `redeem` unclaimed, for its refusal (and a reused code's revocation).
  const preview = await app.authorizationCodes.peek(code, time)
  if (preview !== undefined && refusalOf(preview) === undefined) await proof?.claim()
  const redemption = await app.authorizationCodes.redeem(code, time, refusalOf)
  if (!redemption.ok) {
    if (redemption.reason === 'reused') {
      request.log.warn({ event: 'authorization_code_reused', client_id: client.clientId },
        'an authorization code was presented again: the refresh tokens it gave are revoked')
    }
    if (redemption.reason === 'refused') throw redemption.refusal
    throw new InvalidAuthorizationCodeError({ reason: `authorization code ${redemption.reason}` })
  }

  const { grant } = redemption
  // Claimed above unless the code turned good between the two reads: then now, still before any token.
  await proof?.claim()
  const user = await app.users.findById(grant.userId)
  if (!user) throw new InvalidAuthorizationCodeError({ reason: 'the user no longer exists' })
  const { accessToken, expiresIn } = await app.signAccessToken({
    sub: user.id,
    clientId: client.clientId,
    audience,
    scope: grant.scope,
    role: user.role,
    jkt: proof?.jkt,
    // The ID token's `sid` too: a logout of that session names the access tokens it gave.
    sid: grant.sessionId
  })
  const answer: OAuthTokenResponse = {
    access_token: accessToken, token_type: proof ? 'DPoP' : 'Bearer', expires_in: expiresIn, scope: grant.scope
  }
  if (parseScope(grant.scope).includes('openid')) {
    answer.id_token = await app.signIdToken({
      sub: user.id, clientId: client.clientId, nonce: grant.nonce, authTime: grant.authTime, sid: grant.sessionId
    })
  }
  if (client.grantTypes.includes('refresh_token')) {
    const { refreshToken, familyId } = await app.refreshTokens.issueFamily(
      {
        userId: user.id,
        clientId: client.clientId,
        scope: grant.scope,
        sessionId: grant.sessionId,
        resources: grant.resources,
        // A confidential client's refresh tokens need its credentials already: bound are only public ones'.
        dpopJkt: client.authMethod === 'none' ? proof?.jkt : undefined
      }, time)
    // The code came back while this exchange ran: what it issued is revoked, and this answer refused.
    if (!await app.authorizationCodes.recordFamily(code, familyId)) {
      await app.refreshTokens.revokeFamily(familyId, time)
      throw new InvalidAuthorizationCodeError({ reason: 'authorization code reused during its exchange' })
    }
    answer.refresh_token = refreshToken
  }
  request.log.info({
    event: 'authorization_code_exchanged',
    client_id: client.clientId,
    sub: user.id,
    scope: grant.scope
  }, 'access token issued')
  app.metrics.tokenRequests.inc({ grant_type: 'authorization_code', outcome: 'ok' })
  return answer
}
