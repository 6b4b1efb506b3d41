import { Compile } from 'typebox/compile'
import { AccessTokenClaimsSchema, type AccessTokenClaims } from '@repo/contracts/access-token'
import { TokenRejection } from '../errors.js'
import type { ChosenKey } from './key-resolver.js'

/** A verified token, as the cache keeps it: its claims, and the key that verified it. */
export interface Verified extends ChosenKey {
  claims: AccessTokenClaims
}

const tokenClaims = Compile(AccessTokenClaimsSchema)
const CLAIMS_DO_NOT_FIT = 'claims do not fit the RFC 9068 access token profile'
const ANOTHER_ISSUER = 'iss differs from the issuer whose key verified the token'
const isString = (value: unknown) => typeof value === 'string'

/** `aud` names the audience: the string itself, or a list of strings that holds it. */
function names (payload: object, audience: string): boolean {
  const aud = 'aud' in payload ? payload.aud : undefined
  return aud === audience || (Array.isArray(aud) && aud.includes(audience) && aud.every(isString))
}

/**
 * The RFC 9068 profile, on a payload fast-jwt verified with `chosen`'s key: `aud` holds the audience
 * of the issuer whose key verified it, every claim fits `AccessTokenClaimsSchema` (the §2.2 claims
 * are required there), `iss` is that issuer, `iat` is not in the future. fast-jwt checked the
 * signature, `exp` and `nbf`; the checks it could make of `iss`, `aud` and required claims are made
 * here instead, per issuer, each with a reason of its own.
 */
export function checkProfile (
  payload: object, chosen: ChosenKey, nowSeconds: number, toleranceSeconds: number
): Verified | TokenRejection {
  const { issuer, audience } = chosen.trusted.issuer
  if (!names(payload, audience)) {
    return new TokenRejection(`aud does not contain ${audience}, this service's audience for ${issuer}`, 'audience')
  }
  if (!tokenClaims.Check(payload)) return new TokenRejection(CLAIMS_DO_NOT_FIT, 'claims')
  if (payload.iss !== issuer) return new TokenRejection(ANOTHER_ISSUER, 'claims')
  if (payload.iat > nowSeconds + toleranceSeconds) return new TokenRejection('iat is in the future', 'claims')
  return { ...chosen, claims: payload }
}
