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

/** The part of fast-jwt's decoded token its key function receives (fast-jwt's decoder only passes objects). */
interface DecodedToken { header: object, payload: object }

/**
 * Thrown by `resolve` for a token whose issuer is trusted but whose key is not at hand: `fetch` looks
 * it up (a JWKS fetch, within the cooldown), and the token is verified again.
 */
export class KeyNotCached extends Error {
  readonly code = 'KEY_NOT_CACHED'
  constructor (readonly trusted: Trusted, readonly kid: string | undefined, readonly alg: string) {
    super(`no cached key for kid ${JSON.stringify(kid)} (${alg})`)
  }
}

export interface KeyResolver {
  /**
   * fast-jwt's key function (`keySync`), given to @fastify/jwt as its `secret`: fast-jwt decodes a
   * token once, calls this before checking its signature (the only way in for a key), then verifies
   * the token with the KeyObject it returns, all synchronously. Throws why no key may verify the
   * token, or KeyNotCached.
   */
  resolve: (decoded: DecodedToken) => KeyObject
  /**
   * The key `resolve` picked for this decoded payload, which fast-jwt then verified: read right after
   * the (synchronous) verification, and only for the very payload it was picked for.
   */
  takeChosen: (payload: object) => ChosenKey | undefined
  /** The key a KeyNotCached named, from its issuer's JWKS; `resolve` gives it during `then(retry)`. */
  fetch: <T>(missing: KeyNotCached, retry: () => T) => Promise<T>
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
  // Verification is synchronous: the key chosen for a payload is read back before any other token
  // is resolved. It travels with the payload object it was chosen for, not on fast-jwt's header.
  let chosen: (ChosenKey & { payload: object }) | undefined
  // The key fetch() found, for the one synchronous retry it runs.
  let fetched: ChosenKey | undefined

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

  function resolve ({ header, payload }: DecodedToken): KeyObject {
    chosen = undefined
    if (!tokenHeader.Check(header)) throw new TokenRejection(UNKNOWN_MEMBER, 'header')
    const trusted = issuerFor(header, payload)
    if (trusted instanceof TokenRejection) throw trusted
    const { kid, alg } = header
    const key = trusted.keys.current(kid, alg) ??
      (fetched?.trusted === trusted && fetched.kid === kid && fetched.alg === alg ? fetched.key : undefined)
    if (key === undefined) throw new KeyNotCached(trusted, kid, alg)
    chosen = { payload, trusted, key, kid, alg }
    return key.key
  }

  function takeChosen (payload: object): ChosenKey | undefined {
    const found = chosen?.payload === payload ? chosen : undefined
    chosen = undefined
    if (found === undefined) return undefined
    const { trusted, key, kid, alg } = found
    return { trusted, key, kid, alg }
  }

  async function fetch<T> ({ trusted, kid, alg }: KeyNotCached, retry: () => T): Promise<T> {
    const found = await trusted.keys.lookup(kid, alg)
    if (!('key' in found)) {
      if (found.miss === 'unavailable') throw new KeysUnavailable(found.detail, found.retryAfterSeconds)
      throw found.miss === 'unknown-kid'
        ? new TokenRejection(`unknown kid: ${found.detail}`, 'unknown_kid')
        : new TokenRejection(`unusable key: ${found.detail}`, 'unusable_key')
    }
    fetched = { trusted, key: found.key, kid, alg }
    try {
      return retry()
    } finally {
      fetched = undefined
    }
  }

  return { resolve, takeChosen, fetch }
}
