/** One stored cookie: host-only (no `Domain` is honoured), as the auth service sets them. */
interface StoredCookie {
  name: string
  value: string
  host: string
  path: string
  secure: boolean
  /** Milliseconds since the epoch; undefined: a session cookie. */
  expiresAt: number | undefined
}

/**
 * The cookie handling of a browser, as much as a test of server-rendered pages needs (RFC 6265 §5):
 * cookies belong to a host, not to a port (so two services on one loopback address share them, as in
 * a browser), match by path prefix, are dropped by `Max-Age=0` or a past `Expires`, and `Secure` ones
 * go over https only. `Domain` is ignored: every cookie is host-only.
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>()
  readonly #now: () => number

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  /** Stores the `Set-Cookie` headers of an answer to a request for `url`. */
  store (url: string | URL, headers: Headers): void {
    const { hostname, pathname, protocol } = new URL(url)
    for (const line of headers.getSetCookie()) {
      const cookie = parseSetCookie(line, hostname, defaultPath(pathname), this.#now())
      if (!cookie || (cookie.secure && protocol !== 'https:')) continue
      const key = `${cookie.host} ${cookie.path} ${cookie.name}`
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= this.#now()) this.#cookies.delete(key)
      else this.#cookies.set(key, cookie)
    }
  }

  /** The `Cookie` header for a request to `url`, or undefined when no cookie applies. */
  header (url: string | URL): string | undefined {
    const { hostname, pathname, protocol } = new URL(url)
    const now = this.#now()
    const sent = [...this.#cookies.values()]
      .filter((cookie) => cookie.host === hostname && pathMatches(pathname, cookie.path) &&
        (!cookie.secure || protocol === 'https:') && (cookie.expiresAt === undefined || cookie.expiresAt > now))
      // §5.4: longer paths first.
      .sort((a, b) => b.path.length - a.path.length)
    return sent.length === 0 ? undefined : sent.map(({ name, value }) => `${name}=${value}`).join('; ')
  }

  /** The value of cookie `name` that a request to `url` would send. */
  get (url: string | URL, name: string): string | undefined {
    for (const pair of this.header(url)?.split('; ') ?? []) {
      const at = pair.indexOf('=')
      if (pair.slice(0, at) === name) return pair.slice(at + 1)
    }
    return undefined
  }
}

/** §5.1.4: `/a` matches `/a`, `/a/` and `/a/b`, not `/ab`. */
function pathMatches (requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

/** §5.1.4: the directory of the request's path, when a cookie names none. */
function defaultPath (requestPath: string): string {
  const last = requestPath.lastIndexOf('/')
  return last <= 0 ? '/' : requestPath.slice(0, last)
}

/** §5.2, without `Domain`; undefined for a line that sets nothing. */
export function parseSetCookie (
  line: string, host: string, path: string, now: number
): StoredCookie | undefined {
  const [pair = '', ...attributes] = line.split(';')
  const at = pair.indexOf('=')
  if (at <= 0) return undefined
  const cookie: StoredCookie = {
    name: pair.slice(0, at).trim(),
    value: pair.slice(at + 1).trim(),
    host,
    path,
    secure: false,
    expiresAt: undefined
  }
  let maxAge: number | undefined
  for (const attribute of attributes) {
    const [rawName = '', ...rest] = attribute.split('=')
    const name = rawName.trim().toLowerCase()
    const value = rest.join('=').trim()
    if (name === 'path' && value.startsWith('/')) cookie.path = value
    else if (name === 'secure') cookie.secure = true
    else if (name === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value)
    else if (name === 'expires' && !Number.isNaN(Date.parse(value))) cookie.expiresAt = Date.parse(value)
  }
  // Max-Age wins over Expires (§5.3 step 3).
  if (maxAge !== undefined) cookie.expiresAt = maxAge <= 0 ? now : now + maxAge * 1000
  return cookie
}
