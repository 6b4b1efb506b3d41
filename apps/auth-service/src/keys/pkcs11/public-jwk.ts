import pkcs11 from 'pkcs11js'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { PublicJwk } from '@repo/contracts/jwks'
import { Pkcs11TokenError } from './pkcs11-error.js'

/** The attributes of a public key object that the algorithm's JWK is made of. */
export const PUBLIC_ATTRIBUTES: Readonly<Record<SigningAlgorithm, number[]>> = {
  RS256: [pkcs11.CKA_MODULUS, pkcs11.CKA_PUBLIC_EXPONENT],
  ES256: [pkcs11.CKA_EC_POINT],
  EdDSA: [pkcs11.CKA_EC_POINT]
}

const b64url = (bytes: Buffer) => bytes.toString('base64url')

/** A JWK integer has no leading zero bytes (RFC 7518 §2); tokens may pad theirs. */
const unsigned = (bytes: Buffer) => {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  return bytes.subarray(start)
}

/**
 * The point inside CKA_EC_POINT. PKCS#11 says it is a DER OCTET STRING (`04 len point`); some tokens
 * return the bare point, which the expected length tells apart.
 */
function ecPoint (value: Buffer, length: number): Buffer {
  if (value.length === length) return value
  if (value.length === length + 2 && value[0] === 0x04 && value[1] === length) return value.subarray(2)
  throw new Pkcs11TokenError('PKCS11_FAILED', `PKCS#11: the token's CKA_EC_POINT is not a ${length}-byte point`)
}

/** The public JWK of a key from its public attributes, in `PUBLIC_ATTRIBUTES[alg]`'s order. */
export function publicJwkOf (kid: string, alg: SigningAlgorithm, values: Buffer[]): PublicJwk {
  const [first = Buffer.alloc(0), second = Buffer.alloc(0)] = values
  const common = { kid, alg, use: 'sig' as const }
  if (alg === 'RS256') return { kty: 'RSA', ...common, n: b64url(unsigned(first)), e: b64url(unsigned(second)) }
  if (alg === 'EdDSA') return { kty: 'OKP', ...common, crv: 'Ed25519', x: b64url(ecPoint(first, 32)) }
  const point = ecPoint(first, 65)
  if (point[0] !== 0x04) throw new Pkcs11TokenError('PKCS11_FAILED', 'PKCS#11: the token\'s P-256 point is compressed')
  return { kty: 'EC', ...common, crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) }
}
