import type { IntrospectionResponse } from '@repo/contracts/oauth'
import type { Client } from '../clients/client-store.js'
import type { RefreshTokenState } from '../tokens/refresh-token-store.js'
import { AccessTokenRejection, type OwnAccessToken, type VerifyOwnAccessToken } from '../userinfo/own-access-tokens.js'

/** RFC 7662 §2.2: the whole answer for a token that is not active, or not the caller's to see. */
export const INACTIVE: IntrospectionResponse = { active: false }

export interface IntrospectionSources {
  issuer: string
  /** This service's access tokens, verified as the UserInfo endpoint does (signature by a published key, …). */
  verifyAccessToken: VerifyOwnAccessToken
  inspectRefreshToken: (token: string, now: number) => Promise<RefreshTokenState | undefined>
  /** Whether a browser session was ended (a logout). */
  sessionEnded: (sid: string) => Promise<boolean>
  /** Milliseconds since the epoch. */
  now: () => number
}

/** What introspection tells its caller, and what the log may say about it (never the token). */
export interface Introspection {
  answer: IntrospectionResponse
  kind: 'access_token' | 'refresh_token' | 'unknown'
  /** An access token's `jti`, for the log. */
  jti?: string | undefined
}

/** A token found as one kind: whether the caller may see it, and the answer if so. */
interface Found {
  kind: 'access_token' | 'refresh_token'
  visibleTo: (caller: Client) => boolean
  answer: IntrospectionResponse
  jti?: string | undefined
}

const audiencesOf = (aud: unknown): unknown[] => Array.isArray(aud) ? aud : [aud]

/**
 * RFC 7662 introspection of this service's tokens, for an authenticated confidential client. Who may
 * see what: a client the tokens it was issued (`client_id`), and a client registered with an audience
 * the access tokens that name it in `aud` (a resource server that cannot verify JWTs). Refresh tokens
 * are their own client's only. Everything else, and every token not active, is `{ active: false }`:
 * the caller is never told why. The hint only chooses which kind is looked for first (§2.1).
 */
export function tokenIntrospection (sources: IntrospectionSources) {
  const { issuer, verifyAccessToken, inspectRefreshToken, sessionEnded, now } = sources

  async function accessToken (token: string): Promise<Found | undefined> {
    let verified: OwnAccessToken
    try {
      verified = await verifyAccessToken(token)
    } catch (error) {
      // Not one of this service's live access tokens: perhaps a refresh token, else unknown.
      if (error instanceof AccessTokenRejection) return undefined
      throw error
    }
    const { claims, jkt } = verified
    const jti = typeof claims.jti === 'string' ? claims.jti : undefined
    const visibleTo = (caller: Client) =>
      claims.client_id === caller.clientId || audiencesOf(claims.aud).includes(caller.audience)
    // The verifier grants resource servers' clock tolerance; the issuer's own clock says exactly when
    // a token ends (RFC 7519 §4.1.4: before `exp`, never at it).
    const sid = typeof claims.sid === 'string' ? claims.sid : undefined
    if ((claims.exp as number) * 1000 <= now() || (sid !== undefined && await sessionEnded(sid))) {
      return { kind: 'access_token', visibleTo, answer: INACTIVE, jti }
    }
    const answer: IntrospectionResponse = {
      active: true,
      scope: verified.scope,
      client_id: claims.client_id as string,
      token_type: jkt === undefined ? 'Bearer' : 'DPoP',
      exp: claims.exp,
      iat: claims.iat,
      nbf: claims.nbf,
      sub: verified.sub,
      aud: claims.aud,
      iss: claims.iss,
      jti,
      ...(jkt === undefined ? {} : { cnf: { jkt } }),
      ...(sid === undefined ? {} : { sid })
    }
    return { kind: 'access_token', visibleTo, answer, jti }
  }

  async function refreshToken (token: string): Promise<Found | undefined> {
    const state = await inspectRefreshToken(token, now())
    if (!state) return undefined
    const { grant } = state
    const visibleTo = (caller: Client) => grant.clientId === caller.clientId
    if (!state.active) return { kind: 'refresh_token', visibleTo, answer: INACTIVE }
    // No token_type: RFC 7662's is the OAuth token type of an access token (RFC 6749 §7.1).
    const answer: IntrospectionResponse = {
      active: true,
      scope: grant.scope,
      client_id: grant.clientId,
      exp: Math.floor(state.expiresAt / 1000),
      iat: Math.floor(state.issuedAt / 1000),
      sub: grant.userId,
      iss: issuer,
      ...(grant.dpopJkt === undefined ? {} : { cnf: { jkt: grant.dpopJkt } }),
      ...(grant.sessionId === undefined ? {} : { sid: grant.sessionId })
    }
    return { kind: 'refresh_token', visibleTo, answer }
  }

  return async function introspect (token: string, hint: string | undefined, caller: Client): Promise<Introspection> {
    const lookups = hint === 'refresh_token' ? [refreshToken, accessToken] : [accessToken, refreshToken]
    for (const lookup of lookups) {
      const found = await lookup(token)
      if (found === undefined) continue
      const answer = found.visibleTo(caller) ? found.answer : INACTIVE
      return { answer, kind: found.kind, jti: found.jti }
    }
    return { answer: INACTIVE, kind: 'unknown' }
  }
}
