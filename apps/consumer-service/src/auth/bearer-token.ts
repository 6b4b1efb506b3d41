/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
/** Both of the above at once, for the header nearly every request carries: one pass over it. */
const BEARER_JWS = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i
/** RFC 9449 §7.1: `DPoP 1*SP token68`, the same token syntax as Bearer. */
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*)$/i
const DPOP_JWS = /^DPoP +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i
/** Far above any token the auth service issues; a longer one is not worth decoding. */
export const MAX_TOKEN_LENGTH = 8192

/**
 * Why a request has no usable bearer token: no credentials (no header, or another scheme), a
 * malformed Bearer header, or a well-formed value that is not a JWS compact serialization.
 */
export interface BearerProblem {
  problem: 'no-credentials' | 'malformed-header' | 'not-a-jws'
  /** For the log line. */
  reason: string
}

const NO_HEADER: BearerProblem = { problem: 'no-credentials', reason: 'no Authorization header' }
const OTHER_SCHEME: BearerProblem = { problem: 'no-credentials', reason: 'another authentication scheme' }
const MALFORMED: BearerProblem = { problem: 'malformed-header', reason: 'malformed Bearer credentials' }
const NOT_A_JWS: BearerProblem = { problem: 'not-a-jws', reason: 'not a JWS compact serialization' }

/** Reads the bearer token from an `Authorization` header: the token itself, or why there is none. */
export function readBearerToken (authorization: string | undefined): string | BearerProblem {
  const wellFormed = authorization === undefined ? null : BEARER_JWS.exec(authorization)
  const token = wellFormed?.[1]
  if (token !== undefined && token.length <= MAX_TOKEN_LENGTH) return token
  if (!authorization) return NO_HEADER
  const scheme = authorization.split(' ', 1)[0] ?? ''
  if (scheme.toLowerCase() !== 'bearer') return OTHER_SCHEME
  return looseToken(BEARER, authorization)
}

/** A header of the right scheme that did not fit the one-pass pattern: why, or the token after all. */
function looseToken (pattern: RegExp, authorization: string): string | BearerProblem {
  const loose = pattern.exec(authorization)?.[1]
  if (loose === undefined) return MALFORMED
  if (loose.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(loose)) return NOT_A_JWS
  return loose
}

/** The two ways this service takes an access token: as a bearer token, or DPoP-bound with a proof. */
export type Scheme = 'bearer' | 'dpop'

export interface Credentials {
  scheme: Scheme
  token: string
}

/** Why there is no token; `scheme` when the header named one of ours (for the challenge of the answer). */
export type CredentialsProblem = BearerProblem & { scheme?: Scheme }

/**
 * Reads an `Authorization` header of either scheme (names compared case-insensitively, RFC 9110
 * §11.1): the token and its scheme, or why there is none. Bearer first: the header most requests carry.
 */
export function readCredentials (authorization: string | undefined): Credentials | CredentialsProblem {
  const bearer = readBearerToken(authorization)
  if (typeof bearer === 'string') return { scheme: 'bearer', token: bearer }
  if (bearer !== OTHER_SCHEME || authorization === undefined) {
    return bearer.problem === 'no-credentials' ? bearer : { ...bearer, scheme: 'bearer' }
  }
  const token = DPOP_JWS.exec(authorization)?.[1]
  if (token !== undefined && token.length <= MAX_TOKEN_LENGTH) return { scheme: 'dpop', token }
  if ((authorization.split(' ', 1)[0] ?? '').toLowerCase() !== 'dpop') return OTHER_SCHEME
  const loose = looseToken(DPOP, authorization)
  return typeof loose === 'string' ? { scheme: 'dpop', token: loose } : { ...loose, scheme: 'dpop' }
}
