import type { JWK } from 'jose'
import { decodeBase64url } from './compact-jws.js'
import type { DpopSigningAlg } from './constants.js'

/** Members only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/**
 * The key type each algorithm verifies with, and its RFC 7638 required members in lexicographic
 * order, each with the byte length it must decode to where the curve fixes one.
 */
const KEY_SHAPES: Record<DpopSigningAlg, { kty: string, crv?: string, members: Record<string, number | undefined> }> = {
  ES256: { kty: 'EC', crv: 'P-256', members: { crv: undefined, kty: undefined, x: 32, y: 32 } },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', members: { crv: undefined, kty: undefined, x: 32 } },
  RS256: { kty: 'RSA', members: { e: undefined, kty: undefined, n: undefined } },
  PS256: { kty: 'RSA', members: { e: undefined, kty: undefined, n: undefined } }
}

export const privateMemberOf = (jwk: object): string | undefined =>
  PRIVATE_MEMBERS.find((member) => member in jwk)

/**
 * The RFC 7638 thumbprint input of a proof's public `jwk` for `alg` (its required members only, in
 * lexicographic order, no whitespace): the key as the thumbprint and the key cache know it. A string
 * reason when the key cannot verify `alg`: another key type or curve, a member that is not canonical
 * base64url of the right length, or an `alg`, `use` or `key_ops` member that forbids it (as WebCrypto's
 * JWK import refuses them).
 */
export function canonicalJwk (jwk: JWK, alg: DpopSigningAlg): { canonical: string } | { reason: string } {
  const shape = KEY_SHAPES[alg]
  if (jwk.kty !== shape.kty) return { reason: `a ${String(jwk.kty).slice(0, 8)} key cannot verify ${alg}` }
  if (shape.crv !== undefined && jwk.crv !== shape.crv) {
    return { reason: `a key on curve ${String(jwk.crv).slice(0, 16)} cannot verify ${alg}` }
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) return { reason: 'the jwk names another alg' }
  if (jwk.use !== undefined && jwk.use !== 'sig') return { reason: 'the jwk is not for signatures' }
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return { reason: 'the jwk key_ops do not include verify' }
  }
  const members: Record<string, unknown> = {}
  for (const [name, length] of Object.entries(shape.members)) {
    const value = (jwk as Record<string, unknown>)[name]
    if (typeof value !== 'string') return { reason: `the jwk member ${name} is not a string` }
    if (name !== 'kty' && name !== 'crv') {
      const bytes = decodeBase64url(value)
      if (bytes === undefined || (length !== undefined && bytes.length !== length)) {
        const expected = length === undefined ? 'base64url' : `${length}-byte base64url`
        return { reason: `the jwk member ${name} is not canonical ${expected}` }
      }
    }
    members[name] = value
  }
  return { canonical: JSON.stringify(members) }
}
