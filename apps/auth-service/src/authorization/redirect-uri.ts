/** `http://` + a loopback IP literal + an optional port, then the rest (path, query). */
const LOOPBACK_IP_URI = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/

/**
 * Whether `given` is one of `registered` (RFC 9700 §2.1: exact string comparison, no prefix, no
 * normalisation). The one exception (RFC 8252 §7.3, OAuth 2.1 §8.4.2): a native app's loopback
 * redirect on an IP literal may use any port, since the app gets whichever port is free when it
 * runs; everything but the port must still match exactly. `localhost` gets no exception: it may
 * resolve elsewhere, and RFC 8252 §8.3 tells apps not to use it.
 */
export function isRegisteredRedirectUri (registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true
  const asked = LOOPBACK_IP_URI.exec(given)
  if (!asked) return false
  return registered.some((uri) => {
    const known = LOOPBACK_IP_URI.exec(uri)
    return known !== null && known[1] === asked[1] && (known[3] ?? '') === (asked[3] ?? '')
  })
}
