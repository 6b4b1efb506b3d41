import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { VerificationAlgorithm } from '@repo/contracts/access-token'

/** A published key, checked and converted once: what fast-jwt verifies with, and the one algorithm it is for. */
export interface VerificationKey {
  alg: VerificationAlgorithm
  /** Handed to fast-jwt for every token it verifies (patches/fast-jwt@6.3.6.patch lets a key resolver return one). */
  key: KeyObject
}

export type KeyCheck = { key: VerificationKey } | { ignored: string }

const MIN_RSA_BITS = 2048

interface KeyType {
  kty: string
  crv?: string
  asymmetricKeyType: string
  namedCurve?: string
}

/** The key type (and curve) each algorithm needs: an RSA key can never verify an ES256 token, and so on. */
const KEY_TYPES: Record<VerificationAlgorithm, KeyType> = {
  RS256: { kty: 'RSA', asymmetricKeyType: 'rsa' },
  RS384: { kty: 'RSA', asymmetricKeyType: 'rsa' },
  RS512: { kty: 'RSA', asymmetricKeyType: 'rsa' },
  PS256: { kty: 'RSA', asymmetricKeyType: 'rsa' },
  PS384: { kty: 'RSA', asymmetricKeyType: 'rsa' },
  PS512: { kty: 'RSA', asymmetricKeyType: 'rsa' },
  ES256: { kty: 'EC', crv: 'P-256', asymmetricKeyType: 'ec', namedCurve: 'prime256v1' },
  ES384: { kty: 'EC', crv: 'P-384', asymmetricKeyType: 'ec', namedCurve: 'secp384r1' },
  ES512: { kty: 'EC', crv: 'P-521', asymmetricKeyType: 'ec', namedCurve: 'secp521r1' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', asymmetricKeyType: 'ed25519' }
}

const fits = (jwk: Record<string, unknown>, alg: VerificationAlgorithm) => {
  const expected = KEY_TYPES[alg]
  return jwk.kty === expected.kty && (expected.crv === undefined || jwk.crv === expected.crv)
}

/**
 * The one algorithm a JWK is for: its `alg`, or — when it has none (RFC 7517 makes it optional;
 * oidc-provider leaves it out) — the single allowed algorithm its `kty`/`crv` fit. An RSA key without
 * `alg` while both RS256 and PS256 are allowed could be either, and is not used.
 */
function keyAlgorithm (
  jwk: Record<string, unknown>,
  allowedAlgs: readonly VerificationAlgorithm[]
): VerificationAlgorithm | string {
  if (jwk.alg !== undefined) {
    if (!(allowedAlgs as readonly unknown[]).includes(jwk.alg)) {
      return `its alg ${JSON.stringify(jwk.alg)} is not allowed`
    }
    const alg = jwk.alg as VerificationAlgorithm
    return fits(jwk, alg) ? alg : `its kty/crv ${String(jwk.kty)}/${String(jwk.crv)} cannot verify its alg ${alg}`
  }
  const candidates = allowedAlgs.filter((alg) => fits(jwk, alg))
  if (candidates.length === 1) return candidates[0] as VerificationAlgorithm
  return candidates.length === 0
    ? `it has no alg, and its kty/crv ${String(jwk.kty)}/${String(jwk.crv)} fit no allowed algorithm`
    : `it has no alg, and its kty fits ${candidates.join(' and ')}: the JWK must name one`
}

function checkKeyObject (key: KeyObject, alg: VerificationAlgorithm): string | undefined {
  const expected = KEY_TYPES[alg]
  if (key.asymmetricKeyType !== expected.asymmetricKeyType) {
    return `its key type ${key.asymmetricKeyType} cannot verify ${alg}`
  }
  const details = key.asymmetricKeyDetails ?? {}
  if (expected.namedCurve && details.namedCurve !== expected.namedCurve) {
    return `its curve ${details.namedCurve} cannot verify ${alg}`
  }
  if (expected.kty === 'RSA' && (details.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `its RSA modulus of ${details.modulusLength} bits is under ${MIN_RSA_BITS}`
  }
  return undefined
}

/**
 * Whether one JWK from an issuer's set can verify tokens here, and if so the key to do it with.
 * Skipped: `use` other than `sig`, `key_ops` without `verify`, published private material, an
 * algorithm not allowed or not fitting the key, RSA under 2048 bits, anything Node can't import.
 */
export function checkJwk (candidate: unknown, allowedAlgs: readonly VerificationAlgorithm[]): KeyCheck {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    return { ignored: 'it is not an object' }
  }
  const jwk = candidate as Record<string, unknown>
  if (jwk.use !== undefined && jwk.use !== 'sig') return { ignored: `its use is ${JSON.stringify(jwk.use)}, not "sig"` }
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return { ignored: 'its key_ops do not allow verify' }
  }
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) {
    return { ignored: 'the issuer published private or symmetric key material' }
  }
  const alg = keyAlgorithm(jwk, allowedAlgs)
  if (!(allowedAlgs as readonly string[]).includes(alg)) return { ignored: alg }
  let key: KeyObject
  try {
    // Only the public members reach Node: a stray member can't change how the key is read.
    const { kty, n, e, crv, x, y } = jwk
    key = createPublicKey({ key: { kty, n, e, crv, x, y } as JsonWebKey, format: 'jwk' })
  } catch {
    return { ignored: 'it is not a valid public key' }
  }
  const problem = checkKeyObject(key, alg as VerificationAlgorithm)
  if (problem) return { ignored: problem }
  return { key: { alg: alg as VerificationAlgorithm, key } }
}

/**
 * `checkJwk` for one set of allowed algorithms, done once per JWK object: get-jwks hands out the same
 * object until it refetches.
 */
export function createJwkChecker (allowedAlgs: readonly VerificationAlgorithm[]): (jwk: object) => KeyCheck {
  const checked = new WeakMap<object, KeyCheck>()
  return function checkOnce (jwk) {
    let result = checked.get(jwk)
    if (!result) {
      result = checkJwk(jwk, allowedAlgs)
      checked.set(jwk, result)
    }
    return result
  }
}
