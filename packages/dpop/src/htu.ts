/**
 * A proof's `htu` as compared (RFC 9449 §4.3 check 9): an absolute http(s) URL, without query and
 * fragment (§4.2 says the claim has none, so one that has either is refused, not trimmed), after the
 * syntax- and scheme-based normalisation of RFC 3986 §6.2.2–6.2.3 that WHATWG URL parsing does: scheme
 * and host in lower case, the default port dropped, dot segments removed, an empty path made `/`.
 * `undefined` when it is none of that.
 */
export function normalizeHtu (htu: string): string | undefined {
  if (htu.includes('?') || htu.includes('#')) return undefined
  let url: URL
  try {
    url = new URL(htu)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (url.username !== '' || url.password !== '') return undefined
  return `${url.origin}${url.pathname}`
}

/**
 * A path the URL parser leaves as it is: `/` and unreserved characters but `.` (so no dot segment and
 * nothing to percent-encode). Most request paths are such, and skip the parser.
 */
const PLAIN_PATH = /^\/[A-Za-z0-9_~/-]*$/

/** The last public origin parsed, and what it parsed to: one service sees one origin, or a few. */
let lastOrigin = { input: '', origin: '' }

function originOf (publicOrigin: string): string {
  if (lastOrigin.input !== publicOrigin) lastOrigin = { input: publicOrigin, origin: new URL(publicOrigin).origin }
  return lastOrigin.origin
}

/**
 * The URL a request was sent to, as its client saw it: the service's public origin (its issuer, or
 * the consumer's PUBLIC_URL) and the request's path, its query dropped; normalised like `htu`. The
 * path is set, not resolved against the origin: a request for `//other.example/x` stays on this
 * origin, so a proof made for another server never matches it. Throws when `publicOrigin` is no URL.
 */
export function requestHtu (publicOrigin: string, requestUrl: string): string {
  const queryAt = requestUrl.indexOf('?')
  const path = queryAt === -1 ? requestUrl : requestUrl.slice(0, queryAt)
  if (PLAIN_PATH.test(path)) return `${originOf(publicOrigin)}${path}`
  const url = new URL(publicOrigin)
  url.pathname = path
  return `${url.origin}${url.pathname}`
}
