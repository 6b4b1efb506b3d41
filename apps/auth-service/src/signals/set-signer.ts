import { SET_TYP, type SecurityEventClaims } from '@repo/contracts/ssf'
import { NoSigningKeyError } from '../errors.js'
import type { KeyRing } from '../keys/key-ring.js'

/** Signs the claims of one Security Event Token: the compact JWS a poll answers. */
export type SignSet = (claims: SecurityEventClaims) => Promise<string>

/**
 * Signs SETs as access tokens are signed, with the key ring's active key, so a receiver verifies them
 * through the same JWKS; `typ` tells the two apart (RFC 8417 §2.3: a SET is never taken for an access
 * token, nor one for the other).
 */
export function createSetSigner (keyRing: KeyRing): SignSet {
  return async function signSet (claims) {
    const signing = keyRing.signingKey()
    if (!signing) throw new NoSigningKeyError()
    return signing.sign({ alg: signing.alg, kid: signing.kid, typ: SET_TYP }, claims)
  }
}
