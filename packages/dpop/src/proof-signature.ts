import { constants, verify, type KeyObject } from 'node:crypto'
import type { DpopSigningAlg } from './constants.js'

/**
 * Whether `signature` is `alg`'s signature of `signingInput` by `key` (RFC 7518 §3.3–3.5, RFC 8037
 * §3.1), verified synchronously: WebCrypto's asynchronous verify costs a thread-pool round trip per
 * proof, several times the signature check itself. The parameters come from `alg` alone, never from
 * the key, so a key accepted for RS256 verifies no PKCS#1 v1.5 signature under a PS256 header.
 */
export function verifySignature (
  alg: DpopSigningAlg, key: KeyObject, signingInput: string, signature: Buffer
): boolean {
  const data = Buffer.from(signingInput, 'latin1')
  try {
    switch (alg) {
      case 'ES256':
        return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      case 'EdDSA':
        return verify(null, data, key, signature)
      case 'RS256':
        return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature)
      case 'PS256':
        return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
    }
  } catch {
    // A key of another type than `alg` wants, or a signature OpenSSL cannot parse: not a signature.
    return false
  }
}
