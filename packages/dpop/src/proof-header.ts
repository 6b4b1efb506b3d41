import type { JWK } from 'jose'
import { decodeJsonObject } from './compact-jws.js'
import { DPOP_PROOF_TYP, DPOP_SIGNING_ALGS, type DpopSigningAlg } from './constants.js'
import { canonicalJwk, privateMemberOf } from './proof-jwk.js'

/** A proof header that passed its checks: its algorithm, and its key as RFC 7638 knows it. */
export interface ProofHeader {
  alg: DpopSigningAlg
  /** The thumbprint input of the header's `jwk` (`canonicalJwk`): the key cache's index. */
  canonical: string
  jwk: JWK
}

/** `typ` as jose compares it: case-insensitive, `application/` optional (RFC 7515 §4.1.9). */
const isProofTyp = (typ: unknown): boolean =>
  typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === DPOP_PROOF_TYP

/**
 * A proof's JOSE header (RFC 9449 §4.3 checks 4 to 7): a base64url JSON object naming a public `jwk`
 * (no private member), an asymmetric `alg` this package verifies, `typ: dpop+jwt`, no `crit` or `b64`
 * (no extension is understood here), and a key of the type and curve that `alg` needs. Its verdict
 * depends on the encoded header alone, so a header that passed may be remembered by its exact text. A
 * string reason when it is refused.
 */
export function checkProofHeader (encodedHeader: string): ProofHeader | string {
  const header = decodeJsonObject(encodedHeader)
  if (header === undefined) return 'the header is not base64url JSON'
  const jwk = header['jwk']
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'the header has no jwk object'
  const privateMember = privateMemberOf(jwk)
  if (privateMember !== undefined) return `the jwk header has the private member "${privateMember}"`
  const alg = header['alg'] as DpopSigningAlg
  if (!DPOP_SIGNING_ALGS.includes(alg)) return `alg ${String(alg).slice(0, 16)} is not allowed`
  if (!isProofTyp(header['typ'])) return `typ is not ${DPOP_PROOF_TYP}`
  if ('crit' in header || 'b64' in header) return 'the header has crit or b64 (no extension is supported)'
  const canonical = canonicalJwk(jwk, alg)
  if ('reason' in canonical) return canonical.reason
  return { alg, canonical: canonical.canonical, jwk: jwk as JWK }
}
