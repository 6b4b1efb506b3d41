import { DPOP_MESSAGES, dpopChallenge } from '@repo/contracts/bearer'
import { DPOP_SIGNING_ALGS } from '@repo/dpop/constants'
import { createHttpError } from '../http-error.js'

/*
 * The UserInfo endpoint's refusals of a DPoP-bound token's proof (RFC 9449 §7.1): 401 with a `DPoP`
 * challenge naming the algorithms a proof may use and the error; `use_dpop_nonce` carries the nonce
 * to use in `DPoP-Nonce` (§9). The body is the service's usual error body, its code `invalid_token`
 * (one of the contract's codes, as the consumer answers): the challenge says what was wrong.
 */

const INVALID_PROOF = DPOP_MESSAGES.invalidProof
const USE_NONCE = 'Resource server requires nonce in DPoP proof'

const InvalidDpopProof = createHttpError('invalid_token', INVALID_PROOF, 401)
const UseDpopNonce = createHttpError('invalid_token', USE_NONCE, 401)

export interface DpopRefusals {
  invalidProof: (reason: string) => Error
  useNonce: (reason: string, nonce: string | undefined) => Error
}

export function dpopRefusals (realm: string): DpopRefusals {
  const headers = (error: string, description: string) =>
    ({
      'www-authenticate': dpopChallenge(DPOP_SIGNING_ALGS, { realm, error, error_description: description }),
      'cache-control': 'no-store'
    })
  return {
    invalidProof: (reason) => new InvalidDpopProof({ headers: headers('invalid_dpop_proof', INVALID_PROOF), reason }),
    useNonce: (reason, nonce) => new UseDpopNonce({
      headers: { ...headers('use_dpop_nonce', USE_NONCE), ...nonce === undefined ? {} : { 'dpop-nonce': nonce } },
      reason
    })
  }
}
