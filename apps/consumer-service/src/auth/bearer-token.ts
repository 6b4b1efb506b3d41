import { InvalidRequestError, InvalidTokenError, MissingTokenError } from '../errors.js'

/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
/** Both of the above at once, for the header nearly every request carries: one pass over it. */
const BEARER_JWS = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i
/** Far above any token the auth service issues; a longer one is not worth decoding. */
export const MAX_TOKEN_LENGTH = 8192

/** The token itself, or why there is none. */
export type BearerResult = string | { error: InstanceType<typeof MissingTokenError | typeof InvalidRequestError | typeof InvalidTokenError>, reason: string }

/**
 * Reads the bearer token from an `Authorization` header. No header or another scheme is "no
 * credentials" (401 without an error code); a malformed Bearer header is `invalid_request` (400);
 * a well-formed value that is not a JWS compact serialization is `invalid_token` (401).
 */
export function readBearerToken (authorization: string | undefined): BearerResult {
  const wellFormed = authorization === undefined ? null : BEARER_JWS.exec(authorization)
  if (wellFormed && (wellFormed[1] as string).length <= MAX_TOKEN_LENGTH) return wellFormed[1] as string
  if (!authorization) return { error: new MissingTokenError(), reason: 'no Authorization header' }
  const scheme = authorization.split(' ', 1)[0] ?? ''
  if (scheme.toLowerCase() !== 'bearer') return { error: new MissingTokenError(), reason: 'another authentication scheme' }
  const match = BEARER.exec(authorization)
  if (!match) return { error: new InvalidRequestError(), reason: 'malformed Bearer credentials' }
  const token = match[1] as string
  if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) {
    return { error: new InvalidTokenError(), reason: 'not a JWS compact serialization' }
  }
  return token
}
