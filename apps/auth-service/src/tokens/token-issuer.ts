import { randomUUID } from 'node:crypto'
import {
  ACCESS_TOKEN_TYP,
  type IssuedAccessTokenClaims,
  type IssuedAccessTokenHeader
} from '@repo/contracts/access-token'
import type { Role } from '@repo/contracts/scopes'
import { NoSigningKeyError } from '../errors.js'
import type { KeyRing } from '../keys/key-ring.js'

export interface TokenIssuerOptions {
  issuer: string
  ttlSeconds: number
  keyRing: KeyRing
  /** Milliseconds since the epoch; a parameter so tests control time. */
  now: () => number
}

/** Whom an access token is for: a user through a client (with the user's role), or a client itself. */
export interface AccessTokenGrant {
  /** The user's id, or the client's id for `client_credentials` (RFC 9068 §2.2). */
  sub: string
  clientId: string
  audience: string
  scope: string
  role?: Role
  /** DPoP: the thumbprint of the key the token is bound to (`cnf.jkt`, RFC 9449 §6.1). */
  jkt?: string | undefined
  /** The browser session the user logged in with (`sid`, as in the ID token); none without one. */
  sid?: string | undefined
}

export type SignAccessToken = (grant: AccessTokenGrant) => Promise<{ accessToken: string, expiresIn: number }>

/** Signs RFC 9068 access tokens with the key ring's active key. */
export function createTokenIssuer ({ issuer, ttlSeconds, keyRing, now }: TokenIssuerOptions): SignAccessToken {
  return async function signAccessToken ({ sub, clientId, audience, scope, role, jkt, sid }) {
    const signing = keyRing.signingKey()
    if (!signing) throw new NoSigningKeyError()
    const issuedAt = Math.floor(now() / 1000)
    // Typed by the contract: what the consumer's tests and any resource server can rely on.
    const header: IssuedAccessTokenHeader = { alg: signing.alg, kid: signing.kid, typ: ACCESS_TOKEN_TYP }
    const claims: IssuedAccessTokenClaims = {
      iss: issuer,
      sub,
      aud: audience,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + ttlSeconds,
      jti: randomUUID(),
      client_id: clientId,
      scope,
      ...(role ? { role } : {}),
      ...(jkt === undefined ? {} : { cnf: { jkt } }),
      ...(sid === undefined ? {} : { sid })
    }
    const accessToken = await signing.sign(header, claims)
    return { accessToken, expiresIn: ttlSeconds }
  }
}
