import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { KID_PATTERN, type SigningAlgorithm } from '@repo/contracts/access-token'

/** A published key turned into what fast-jwt verifies with. */
export interface VerificationKey {
  kid: string
  alg: SigningAlgorithm
  /** SPKI PEM: fast-jwt takes a string or Buffer from an async key resolver, not a KeyObject. */
  pem: string
}

export type KeyConversion = { key: VerificationKey } | { skipped: string }

const KID = new RegExp(KID_PATTERN)
const MIN_RSA_BITS = 2048

/** The key type (and curve) each algorithm needs: an RSA key can never verify an ES256 token, and so on. */
const KEY_TYPES: Record<SigningAlgorithm, { kty: string, crv?: string, asymmetricKeyType: string, namedCurve?: string }> = {
  RS256: { kty: 'RSA', asymmetricKeyType: 'rsa' },
  ES256: { kty: 'EC', crv: 'P-256', asymmetricKeyType: 'ec', namedCurve: 'prime256v1' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', asymmetricKeyType: 'ed25519' }
}

function check (key: KeyObject, alg: SigningAlgorithm): string | undefined {
  const expected = KEY_TYPES[alg]
  if (key.asymmetricKeyType !== expected.asymmetricKeyType) return `key type ${key.asymmetricKeyType} cannot verify ${alg}`
  const details = key.asymmetricKeyDetails ?? {}
  if (expected.namedCurve && details.namedCurve !== expected.namedCurve) return `curve ${details.namedCurve} cannot verify ${alg}`
  if (alg === 'RS256' && (details.modulusLength ?? 0) < MIN_RSA_BITS) return `RSA key of ${details.modulusLength} bits is under ${MIN_RSA_BITS}`
  return undefined
}

/**
 * Turns one JWK from the issuer's set into a verification key, or says why it is skipped. Node
 * converts every key type itself (`createPublicKey({ format: 'jwk' })`), Ed25519 included.
 */
export function toVerificationKey (candidate: unknown, allowedAlgs: readonly SigningAlgorithm[]): KeyConversion {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return { skipped: 'not an object' }
  const jwk = candidate as Record<string, unknown>
  if (typeof jwk.kid !== 'string' || !KID.test(jwk.kid)) return { skipped: 'kid missing or not a key thumbprint' }
  if (jwk.use !== 'sig') return { skipped: `use is ${JSON.stringify(jwk.use)}, not "sig"` }
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return { skipped: 'key_ops does not allow verify' }
  if (typeof jwk.alg !== 'string' || !(allowedAlgs as readonly string[]).includes(jwk.alg)) {
    return { skipped: `alg ${JSON.stringify(jwk.alg)} is not allowed` }
  }
  const alg = jwk.alg as SigningAlgorithm
  const expected = KEY_TYPES[alg]
  if (jwk.kty !== expected.kty || (expected.crv !== undefined && jwk.crv !== expected.crv)) {
    return { skipped: `kty/crv ${String(jwk.kty)}/${String(jwk.crv)} does not match alg ${alg}` }
  }
  if ('d' in jwk) return { skipped: 'the issuer published private key material' }
  let key: KeyObject
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
  } catch {
    return { skipped: 'not a valid public key' }
  }
  const problem = check(key, alg)
  if (problem) return { skipped: problem }
  return { key: { kid: jwk.kid, alg, pem: key.export({ type: 'spki', format: 'pem' }) as string } }
}
