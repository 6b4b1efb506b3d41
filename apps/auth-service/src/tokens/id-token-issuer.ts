import { randomUUID } from 'node:crypto'
import { NoSigningKeyError } from '../errors.js'
import type { KeyRing } from '../keys/key-ring.js'

export interface IdTokenIssuerOptions {
  issuer: string
  ttlSeconds: number
  keyRing: KeyRing
  /** Milliseconds since the epoch. */
  now: () => number
}

/** Whom an ID token (OIDC Core §2) is about, and for which client. */
export interface IdTokenGrant {
  /** The user's id. */
  sub: string
  /** The client the token is for: its `aud`. */
  clientId: string
  /** The authorization request's `nonce`, echoed. */
  nonce: string | undefined
  /** When the user entered their password, ms since the epoch. */
  authTime: number
  /** The browser session, for logout. */
  sid: string | undefined
}

export type SignIdToken = (grant: IdTokenGrant) => Promise<string>

/** Signs OpenID Connect ID tokens with the same active key as the access tokens (and `typ: JWT`). */
export function createIdTokenIssuer ({ issuer, ttlSeconds, keyRing, now }: IdTokenIssuerOptions): SignIdToken {
  return async function signIdToken ({ sub, clientId, nonce, authTime, sid }) {
    const signing = keyRing.signingKey()
    if (!signing) throw new NoSigningKeyError()
    const issuedAt = Math.floor(now() / 1000)
    return signing.sign({ alg: signing.alg, kid: signing.kid, typ: 'JWT' }, {
      iss: issuer,
      sub,
      aud: clientId,
      iat: issuedAt,
      exp: issuedAt + ttlSeconds,
      jti: randomUUID(),
      auth_time: Math.floor(authTime / 1000),
      ...(nonce === undefined ? {} : { nonce }),
      ...(sid === undefined ? {} : { sid })
    })
  }
}
