import { DpopRejection } from '../errors.js'
import type { Verified } from './access-token-profile.js'

/**
 * The token's `cnf` claim (RFC 7800), read here alone: the claims' contract type does not name it.
 * Any value makes the token sender-constrained, whatever key confirmation method it names.
 */
const confirmationOf = (claims: object): unknown => 'cnf' in claims ? claims.cnf : undefined

const thumbprintOf = (cnf: unknown): string | undefined =>
  typeof cnf === 'object' && cnf !== null && 'jkt' in cnf && typeof cnf.jkt === 'string' ? cnf.jkt : undefined

/** A DPoP request (RFC 9449 §7.1): its token must be bound (`cnf.jkt`) to the key that signed its proof. */
export function checkProofKey ({ claims }: Verified, proofJkt: string): void {
  const jkt = thumbprintOf(confirmationOf(claims))
  if (jkt === undefined) throw new DpopRejection('a DPoP request with a token bound to no key (no cnf.jkt)', 'dpop_key')
  if (jkt !== proofJkt) throw new DpopRejection('cnf.jkt is not the thumbprint of the proof\'s key', 'dpop_key')
}

/**
 * A bearer request: why its token may not come that way (bound to a key, RFC 9449 §7.2; or from an
 * issuer whose tokens must be DPoP-bound), or undefined.
 */
export function bearerRefusal ({ claims, trusted }: Verified): DpopRejection | undefined {
  if (confirmationOf(claims) !== undefined) {
    return new DpopRejection('a DPoP-bound token sent as a bearer token', 'dpop_bound_as_bearer')
  }
  if (trusted.issuer.dpop === 'required') {
    const reason = `a bearer token from ${trusted.issuer.issuer}, whose tokens must be DPoP-bound`
    return new DpopRejection(reason, 'dpop_required')
  }
  return undefined
}
