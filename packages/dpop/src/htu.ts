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
 * The URL a request was sent to, as its client saw it: the service's public origin (its issuer, or
 * the consumer's PUBLIC_URL) and the request's path, its query dropped; normalised like `htu`. The
 * path is set, not resolved against the origin: a request for `//other.example/x` stays on this
 * origin, so a proof made for another server never matches it.
 */
export function requestHtu (publicOrigin: string, requestUrl: string): string {
  const queryAt = requestUrl.indexOf('?')
  const url = new URL(publicOrigin)
  url.pathname = queryAt === -1 ? requestUrl : requestUrl.slice(0, queryAt)
  return `${url.origin}${url.pathname}`
}
