import { DPOP_SIGNING_ALGS } from '@repo/dpop/constants'
import { createHttpError } from '../http-error.js'

/*
 * The UserInfo endpoint's refusals of a DPoP-bound token's proof (RFC 9449 §7.1): 401 with a `DPoP`
 * challenge naming the algorithms a proof may use and the error; `use_dpop_nonce` carries the nonce
 * to use in `DPoP-Nonce` (§9). The body is the service's usual error body, its code `invalid_token`
 * (one of the contract's codes, as the consumer answers): the challenge says what was wrong.
 */

const INVALID_PROOF = 'The DPoP proof is invalid'
const USE_NONCE = 'Resource server requires nonce in DPoP proof'

const InvalidDpopProof = createHttpError('invalid_token', INVALID_PROOF, 401)
const UseDpopNonce = createHttpError('invalid_token', USE_NONCE, 401)

/** The `DPoP` challenge of RFC 9449 §7.1 for `error`. */
export function dpopChallenge (realm: string, error: string, description: string): string {
  const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`
  return `DPoP algs=${quote(DPOP_SIGNING_ALGS.join(' '))}, realm=${quote(realm)}, error=${quote(error)}, ` +
    `error_description=${quote(description)}`
}

export interface DpopRefusals {
  invalidProof: (reason: string) => Error
  useNonce: (reason: string, nonce: string | undefined) => Error
}

export function dpopRefusals (realm: string): DpopRefusals {
  const headers = (error: string, description: string) =>
    ({ 'www-authenticate': dpopChallenge(realm, error, description), 'cache-control': 'no-store' })
  return {
    invalidProof: (reason) => new InvalidDpopProof({ headers: headers('invalid_dpop_proof', INVALID_PROOF), reason }),
    useNonce: (reason, nonce) => new UseDpopNonce({
      headers: { ...headers('use_dpop_nonce', USE_NONCE), ...nonce === undefined ? {} : { 'dpop-nonce': nonce } },
      reason
    })
  }
}
