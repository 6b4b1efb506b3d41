/** RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`; RFC 9449 §7.1: the same with `DPoP`. */
const CREDENTIALS = /^(?:Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i
/** Far above any token this service issues; a longer one is not worth decoding. */
export const MAX_TOKEN_LENGTH = 8192

/** How the token was presented: as a bearer token, or as a DPoP-bound one with a proof beside it. */
export type TokenScheme = 'Bearer' | 'DPoP'

export type BearerHeader =
  | { token: string, scheme: TokenScheme }
  | { problem: 'no-credentials' | 'malformed' | 'too-long', reason: string }

/** The access token of an `Authorization` header (`Bearer` or `DPoP`), or why there is none. */
export function readBearerHeader (authorization: string | undefined): BearerHeader {
  if (!authorization) return { problem: 'no-credentials', reason: 'no Authorization header' }
  const word = (authorization.split(' ', 1)[0] ?? '').toLowerCase()
  if (word !== 'bearer' && word !== 'dpop') {
    return { problem: 'no-credentials', reason: 'another authentication scheme' }
  }
  const scheme = word === 'dpop' ? 'DPoP' : 'Bearer'
  const token = CREDENTIALS.exec(authorization)?.[1]
  if (token === undefined) return { problem: 'malformed', reason: `malformed ${scheme} credentials` }
  // Well-formed but too long to be one of ours: refused as a bad token, without decoding it.
  if (token.length > MAX_TOKEN_LENGTH) return { problem: 'too-long', reason: `a token of ${token.length} characters` }
  return { token, scheme }
}
