import type { JWK } from 'jose'
import { decodeBase64url } from './compact-jws.js'
import type { DpopSigningAlg } from './constants.js'

/** Members only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** The key type (and curve) each algorithm verifies with, and its RFC 7638 required members, sorted. */
const KEY_SHAPES: Record<DpopSigningAlg, { kty: string, crv?: string, members: readonly string[] }> = {
  ES256: { kty: 'EC', crv: 'P-256', members: ['crv', 'kty', 'x', 'y'] },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', members: ['crv', 'kty', 'x'] },
  RS256: { kty: 'RSA', members: ['e', 'kty', 'n'] },
  PS256: { kty: 'RSA', members: ['e', 'kty', 'n'] }
}

/** The byte length of a coordinate on each curve (RFC 7518 §6.2.1.2, RFC 8037 §2). */
const COORDINATE_BYTES: Record<string, number> = { 'P-256': 32, Ed25519: 32 }

export const privateMemberOf = (jwk: object): string | undefined =>
  PRIVATE_MEMBERS.find((member) => member in jwk)

/**
 * The RFC 7638 thumbprint input of a proof's public `jwk` for `alg` (its required members only, in
 * lexicographic order, no whitespace): the key as the thumbprint and the key cache know it. A string
 * reason when the key cannot verify `alg`: another key type or curve, a member that is not a string,
 * or an `alg`, `use` or `key_ops` member that forbids it (as WebCrypto's JWK import refuses them).
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
  const members: Record<string, string> = {}
  for (const name of shape.members) {
    const value = (jwk as Record<string, unknown>)[name]
    if (typeof value !== 'string') return { reason: `the jwk member ${name} is not a string` }
    members[name] = value
  }
  return { canonical: JSON.stringify(members) }
}

/**
 * What is wrong with the key material of a canonical JWK, if anything: each member canonical base64url,
 * coordinates of their curve's length. Checked once per key, when it is imported.
 */
export function keyMaterialProblem (members: Record<string, string>): string | undefined {
  const coordinateBytes = members['crv'] === undefined ? undefined : COORDINATE_BYTES[members['crv']]
  for (const [name, value] of Object.entries(members)) {
    if (name === 'kty' || name === 'crv') continue
    const bytes = decodeBase64url(value)
    if (bytes === undefined || bytes.length === 0) return `the jwk member ${name} is not canonical base64url`
    if (coordinateBytes !== undefined && bytes.length !== coordinateBytes) {
      return `the jwk member ${name} is not ${coordinateBytes} bytes long`
    }
  }
  return undefined
}
