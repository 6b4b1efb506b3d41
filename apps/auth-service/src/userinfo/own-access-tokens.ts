import { createLocalJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { ACCESS_TOKEN_TYP, SIGNING_ALGORITHMS } from '@repo/contracts/access-token'
import type { KeyRing } from '../keys/key-ring.js'

/** What the UserInfo endpoint reads from an access token this service issued. */
export interface OwnAccessToken {
  sub: string
  scope: string
  /** A DPoP-bound token's `cnf.jkt`: only a proof by that key may come with it. */
  jkt: string | undefined
  /** Every verified claim, for the introspection endpoint's answer. */
  claims: JWTPayload
}

/** Why a token was not accepted: `expired` is the one cause a client is told (it then refreshes). */
export class AccessTokenRejection extends Error {
  readonly code = 'ACCESS_TOKEN_REJECTED'
  readonly expired: boolean

  constructor (reason: string, expired = false) {
    super(reason)
    this.expired = expired
  }
}

export interface OwnAccessTokensOptions {
  /** The `iss` the token must carry: this service's. */
  issuer: string
  /** Its published keys: a token verifies with exactly the keys a resource server would find in the JWKS. */
  keyRing: KeyRing
  clockToleranceSeconds: number
  /** Milliseconds since the epoch. */
  now: () => number
}

export type VerifyOwnAccessToken = (token: string) => Promise<OwnAccessToken>

/**
 * Verifies an RFC 9068 access token of this service as any resource server would (signature by a
 * key in its JWKS, `typ` at+jwt, `iss`, `exp`, `nbf`), but without an `aud` check: the UserInfo
 * endpoint accepts a token issued for a resource server, as OpenID Connect clients send the one
 * access token they have; the introspection endpoint decides who may see which token itself.
 * Rejections are `AccessTokenRejection`s; anything else is a fault.
 */
export function ownAccessTokens (
  { issuer, keyRing, clockToleranceSeconds, now }: OwnAccessTokensOptions
): VerifyOwnAccessToken {
  // Rebuilt only when the published keys change (the ETag names the exact document).
  let keys: { etag: string, getKey: JWTVerifyGetKey } | undefined
  const currentKeys = () => {
    const jwks = keyRing.jwks()
    if (keys?.etag !== jwks.etag) keys = { etag: jwks.etag, getKey: createLocalJWKSet({ keys: [...jwks.keys] }) }
    return keys.getKey
  }

  return async function verifyOwnAccessToken (token) {
    let payload
    try {
      ({ payload } = await jwtVerify(token, currentKeys(), {
        issuer,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ['exp'],
        algorithms: [...SIGNING_ALGORITHMS],
        clockTolerance: clockToleranceSeconds,
        currentDate: new Date(now())
      }))
    } catch (error) {
      // jose's own errors are what a forged, foreign or malformed token produces; others are faults.
      if (!(error instanceof errors.JOSEError)) throw error
      throw new AccessTokenRejection(`${error.code}: ${error.message}`, error instanceof errors.JWTExpired)
    }
    const { sub, scope, cnf } = payload
    if (typeof sub !== 'string' || sub === '' || typeof scope !== 'string') {
      throw new AccessTokenRejection('sub or scope missing or not a string')
    }
    const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined
    if (cnf !== undefined && (typeof jkt !== 'string' || jkt === '')) {
      throw new AccessTokenRejection('a cnf without jkt')
    }
    return { sub, scope, jkt: jkt as string | undefined, claims: payload }
  }
}
