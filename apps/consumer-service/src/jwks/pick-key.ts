import type { JWK } from 'get-jwks'
import type { KeyCheck, VerificationKey } from './verification-key.js'

/** What a lookup found: a key to verify with, or why there is none (for the log, and 401 vs 503). */
export type KeyLookup =
  | { key: VerificationKey }
  | { miss: 'unknown-kid' | 'unusable', detail: string }
  | { miss: 'unavailable', detail: string, retryAfterSeconds: number }

type Check = (jwk: object) => KeyCheck

/** The key for a token's `kid` and `alg`, if `jwk` (the cached key with that kid) can verify it. */
export function pickByKid (jwk: JWK | undefined, alg: string, check: Check): KeyLookup {
  if (jwk === undefined) return { miss: 'unknown-kid', detail: 'no key with this kid is known' }
  const checked = check(jwk)
  if ('ignored' in checked) return { miss: 'unusable', detail: `the key is ignored because ${checked.ignored}` }
  if (checked.key.alg !== alg) {
    return { miss: 'unusable', detail: `the token's alg ${alg} is not the key's ${checked.key.alg}` }
  }
  return checked
}

/** For a token without `kid`: the one usable key for `alg` among `jwks`, if there is exactly one. */
export function pickWithoutKid (jwks: readonly JWK[], alg: string, check: Check): KeyLookup {
  if (jwks.length === 0) return { miss: 'unknown-kid', detail: 'no kid, and no key is known' }
  const fitting: Array<{ key: VerificationKey }> = []
  for (const jwk of jwks) {
    const checked = check(jwk)
    if ('key' in checked && checked.key.alg === alg) fitting.push(checked)
  }
  const [only] = fitting
  if (fitting.length !== 1 || only === undefined) {
    const detail = `no kid, and ${fitting.length} usable keys for ${alg}: a token without kid needs exactly one`
    return { miss: 'unusable', detail }
  }
  return only
}
