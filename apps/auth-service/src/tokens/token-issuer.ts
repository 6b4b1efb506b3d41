import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { ACCESS_TOKEN_TYP, type IssuedAccessTokenClaims, type IssuedAccessTokenHeader } from '@repo/contracts/access-token'
import { ROLE_SCOPES } from '@repo/contracts/scopes'
import type { TokenResponse } from '@repo/contracts/login'
import { NoSigningKeyError } from '../errors.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { User } from '../users/user-store.js'

export interface TokenIssuerOptions {
  issuer: string
  audience: string
  clientId: string
  ttlSeconds: number
  keyRing: KeyRing
  /** Milliseconds since the epoch; a parameter so tests control time. */
  now: () => number
}

export type IssueToken = (user: User) => Promise<TokenResponse>

/** Signs RFC 9068 access tokens with the key ring's active key. */
export function createTokenIssuer ({ issuer, audience, clientId, ttlSeconds, keyRing, now }: TokenIssuerOptions): IssueToken {
  return async function issueToken (user) {
    const signing = keyRing.signingKey()
    if (!signing) throw new NoSigningKeyError()
    const issuedAt = Math.floor(now() / 1000)
    const scope = ROLE_SCOPES[user.role].join(' ')
    // Typed by the contract: what the consumer's tests and any resource server can rely on.
    const header: IssuedAccessTokenHeader = { alg: signing.alg, kid: signing.kid, typ: ACCESS_TOKEN_TYP }
    const claims: IssuedAccessTokenClaims = {
      iss: issuer,
      sub: user.id,
      aud: audience,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + ttlSeconds,
      jti: randomUUID(),
      client_id: clientId,
      scope,
      role: user.role
    }
    const accessToken = await new SignJWT(claims).setProtectedHeader(header).sign(signing.key)
    return { access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds, scope }
  }
}
