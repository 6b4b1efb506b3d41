import type { KeyObject } from 'node:crypto'
import { Compile } from 'typebox/compile'
import {
  AccessTokenHeaderSchema, isAccessTokenTyp, type AccessTokenHeader, type VerificationAlgorithm
} from '@repo/contracts/access-token'
import { KeysUnavailable, TokenRejection } from '../errors.js'
import type { VerificationKey } from '../jwks/verification-key.js'
import type { Trusted } from '../plugins/trusted-issuers.js'

/** The key a token was verified with, and what it takes to know later that the key still holds. */
export interface ChosenKey {
  trusted: Trusted
  key: VerificationKey
  kid: string | undefined
  alg: string
}

/** The part of fast-jwt's decoded token its key fetcher receives (fast-jwt's decoder only passes objects). */
interface DecodedToken { header: object, payload: object }
type KeyCallback = (error: Error | null, key?: KeyObject) => void

export interface KeyResolver {
  /**
   * fast-jwt's key fetcher, given to @fastify/jwt as its `secret`. fast-jwt decodes a token once,
   * calls this before checking its signature (the only way in for a key), then verifies the token
   * with the KeyObject this returns (patches/fast-jwt@6.3.6.patch lets it be a KeyObject).
   */
  resolve: (decoded: DecodedToken, callback: KeyCallback) => void
  /** The key `resolve` picked for this decoded payload, which fast-jwt then verified: asked once per payload. */
  takeChosen: (payload: object) => ChosenKey | undefined
}

const tokenHeader = Compile(AccessTokenHeaderSchema)
const UNKNOWN_MEMBER = 'header has a member or value no conformant issuer sends (only alg, typ, kid, x5t, x5t#S256)'

/**
 * Picks the key for a token from the trusted issuer its unverified `iss` names (an exact match):
 * only that issuer's keys are tried. Header members, `typ` and `alg` are refused here, before any
 * signature is checked or any key looked up.
 */
export function createKeyResolver (
  issuers: ReadonlyMap<string, Trusted>, allowedAlgs: readonly VerificationAlgorithm[]
): KeyResolver {
  // fast-jwt hands back the very payload object it gave the resolver: the pick travels with it,
  // and not on the decoded header, which is fast-jwt's.
  const chosen = new WeakMap<object, ChosenKey>()

  /** The issuer whose keys may verify this token, or why none may. */
  function issuerFor (header: AccessTokenHeader, payload: object): Trusted | TokenRejection {
    const { typ, alg } = header
    if (!isAccessTokenTyp(typ)) {
      return new TokenRejection(`typ ${JSON.stringify(typ)} is not at+jwt (RFC 9068 §4)`, 'typ')
    }
    if (!allowedAlgs.includes(alg)) return new TokenRejection(`alg ${alg} is not allowed here`, 'alg')
    const iss = 'iss' in payload ? payload.iss : undefined
    const trusted = typeof iss === 'string' ? issuers.get(iss) : undefined
    if (trusted) return trusted
    return new TokenRejection(`iss ${JSON.stringify(iss)?.slice(0, 100)} is not a trusted issuer`, 'untrusted_issuer')
  }

  function resolve ({ header, payload }: DecodedToken, callback: KeyCallback): void {
    if (!tokenHeader.Check(header)) return callback(new TokenRejection(UNKNOWN_MEMBER, 'header'))
    const trusted = issuerFor(header, payload)
    if (trusted instanceof TokenRejection) return callback(trusted)
    const { kid, alg } = header
    const current = trusted.keys.current(kid, alg)
    if (current) {
      chosen.set(payload, { trusted, key: current, kid, alg })
      return callback(null, current.key)
    }
    trusted.keys.lookup(kid, alg).then((found) => {
      if ('key' in found) {
        chosen.set(payload, { trusted, key: found.key, kid, alg })
        return callback(null, found.key.key)
      }
      if (found.miss === 'unavailable') return callback(new KeysUnavailable(found.detail, found.retryAfterSeconds))
      callback(found.miss === 'unknown-kid'
        ? new TokenRejection(`unknown kid: ${found.detail}`, 'unknown_kid')
        : new TokenRejection(`unusable key: ${found.detail}`, 'unusable_key'))
    }, callback)
  }

  function takeChosen (payload: object): ChosenKey | undefined {
    const key = chosen.get(payload)
    // Gone at once, rather than at the next collection: the map stays as small as the requests in flight.
    chosen.delete(payload)
    return key
  }

  return { resolve, takeChosen }
}
