import { sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto'
import type { JWTHeaderParameters, JWTPayload } from 'jose'
import type { SigningAlgorithm } from '@repo/contracts/access-token'

/** A private key that does not fit the algorithm it was stored for, or a header naming another algorithm. */
export class JwsKeyError extends Error {
  override name = 'JwsKeyError'
  readonly code = 'JWS_KEY_MISMATCH'
}

/** What each algorithm signs with: the key type (and curve), and the digest `crypto.sign` takes. */
const ALGORITHMS: Record<SigningAlgorithm, { type: string, curve?: string, digest: string | null }> = {
  RS256: { type: 'rsa', digest: 'sha256' },
  // RFC 7518 §3.4: R and S side by side (IEEE P1363), not the DER that OpenSSL writes by default.
  ES256: { type: 'ec', curve: 'prime256v1', digest: 'sha256' },
  // RFC 8037: Ed25519 hashes internally; node:crypto takes no digest for it.
  EdDSA: { type: 'ed25519', digest: null }
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * Signs compact JWS (RFC 7515 §7.1) with a private `KeyObject` through `crypto.sign`, one call on
 * this thread. Byte for byte what jose's `SignJWT` makes of the same header and claims (the JSON
 * as `JSON.stringify` writes it, base64url without padding); jose would sign through WebCrypto,
 * an asynchronous job on libuv's pool for every token, which costs more than an ECDSA or EdDSA
 * signature itself. Throws `JwsKeyError` when `key` is not a key of `alg`.
 */
export function compactJwsSigner (alg: SigningAlgorithm, key: KeyObject) {
  const { type, curve, digest } = ALGORITHMS[alg]
  if (key.type !== 'private' || key.asymmetricKeyType !== type ||
    (curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== curve)) {
    throw new JwsKeyError(`the private key is not a key for ${alg}`)
  }
  const signingKey: KeyObject | SignKeyObjectInput = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key
  return function signCompactJws (header: JWTHeaderParameters, claims: JWTPayload): string {
    if (header.alg !== alg) throw new JwsKeyError(`a ${alg} key cannot sign a header with alg ${header.alg}`)
    const input = `${segment(header)}.${segment(claims)}`
    return `${input}.${sign(digest, Buffer.from(input), signingKey).toString('base64url')}`
  }
}
