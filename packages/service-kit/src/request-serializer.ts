/** What pino is given as `req` by Fastify's request log lines: the Fastify request. */
export interface LoggedRequest {
  method?: string
  url?: string
  host?: string
  ip?: string
  socket?: { remotePort?: number | undefined } | null
}

// A type, not an interface: Fastify's serializer type wants an object with an index signature.
export type SerializedRequest = {
  method: string | undefined
  url: string | undefined
  host: string | undefined
  remoteAddress: string | undefined
  remotePort: number | undefined
}

const REDACTED = '[Redacted]'
/** A name that reads as a parameter name is kept; anything else could be a value sent without a name. */
const PARAMETER_NAME = /^[\w.~[\]-]{1,64}$/

/**
 * `url` with every query value replaced by `[Redacted]`: `/a?access_token=eyJ…&x` becomes
 * `/a?access_token=[Redacted]&[Redacted]`. Clients put tokens and passwords in query strings by
 * mistake, and a log must not keep them. A segment without `=` is all value (`?<token>`), and so is
 * a name that does not look like one; both are redacted whole. No URL parsing: this runs on every
 * request, and a URL without `?` is returned as it is.
 */
export function redactQuery (url: string): string {
  const start = url.indexOf('?')
  if (start === -1) return url
  const segments: string[] = []
  for (const segment of url.slice(start + 1).split('&')) {
    if (segment === '') continue
    const end = segment.indexOf('=')
    const name = end === -1 ? undefined : segment.slice(0, end)
    segments.push(name !== undefined && PARAMETER_NAME.test(name) ? `${name}=${REDACTED}` : REDACTED)
  }
  return segments.length === 0 ? url.slice(0, start) : `${url.slice(0, start)}?${segments.join('&')}`
}

/**
 * pino's `req` serializer: Fastify's own (method, URL, host, client address and port, without the
 * `accept-version` header nobody here uses), with the query's values redacted.
 */
export function serializeRequest (request: LoggedRequest): SerializedRequest {
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactQuery(request.url) : undefined,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}
