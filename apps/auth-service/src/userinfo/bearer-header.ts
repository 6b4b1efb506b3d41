/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i
/** Far above any token this service issues; a longer one is not worth decoding. */
export const MAX_TOKEN_LENGTH = 8192

export type BearerHeader =
  | { token: string }
  | { problem: 'no-credentials' | 'malformed' | 'too-long', reason: string }

/** The bearer token of an `Authorization` header, or why there is none. */
export function readBearerHeader (authorization: string | undefined): BearerHeader {
  if (!authorization) return { problem: 'no-credentials', reason: 'no Authorization header' }
  const scheme = authorization.split(' ', 1)[0] ?? ''
  if (scheme.toLowerCase() !== 'bearer') return { problem: 'no-credentials', reason: 'another authentication scheme' }
  const token = BEARER.exec(authorization)?.[1]
  if (token === undefined) return { problem: 'malformed', reason: 'malformed Bearer credentials' }
  // Well-formed but too long to be one of ours: refused as a bad token, without decoding it.
  if (token.length > MAX_TOKEN_LENGTH) return { problem: 'too-long', reason: `a token of ${token.length} characters` }
  return { token }
}
