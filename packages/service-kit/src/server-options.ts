import { setting } from './settings.js'
import type { TlsFiles } from './tls.js'

/**
 * `REQUEST_TIMEOUT`, in milliseconds (1 s to 5 min): a request's headers and body must arrive within it,
 * or it is answered 408 (also on METRICS_PORT).
 */
export const REQUEST_TIMEOUT_SETTING = setting.duration('REQUEST_TIMEOUT', {
  default: '10s', unit: 'ms', min: '1s', max: '5m'
})

/** How often Node looks for requests over the limit: a request is cut at most this late. */
export const checkIntervalMs = (requestTimeoutMs: number) => Math.min(1000, Math.ceil(requestTimeoutMs / 4))

export interface ServerOptions {
  /** `TLS_CERT_FILE` and `TLS_KEY_FILE` as read: HTTPS with them, plain HTTP without. */
  tls?: TlsFiles | undefined
  /** `REQUEST_TIMEOUT`: the time a request's headers and body together may take to arrive. */
  requestTimeoutMs: number
}

/**
 * The options of a listener, spread into `Fastify({ ... })`: HTTPS when `tls` is given, and a bound
 * on the time a request takes to arrive. Past `requestTimeoutMs` (plus one check interval) Node
 * answers 408 and closes the connection, whether the headers or the body are unfinished; a
 * connection that sends nothing at all is cut by the same check.
 *
 * Fastify's own `requestTimeout` only sets the property on the server it created (0, no limit, by
 * default), which leaves Node's `headersTimeout` at 60 s and its `connectionsCheckingInterval` at
 * 30 s, both read at creation only: a trickling client held a connection for 67–80 s or for ever.
 * So all three go to `http.createServer` / `https.createServer` through Fastify's `http` or `https`
 * option, which Fastify hands to Node as it is. Idle keep-alive connections between requests are
 * cut by Fastify's `keepAliveTimeout` (72 s: longer than the usual load balancer's 60 s).
 *
 * The services keep Fastify's plain-HTTP server type either way (hence `object`): typing the
 * instance as an `https.Server` one would change the type of every plugin they register.
 */
export function serverOptions ({ tls, requestTimeoutMs }: ServerOptions): object {
  const timeouts = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: requestTimeoutMs,
    connectionsCheckingInterval: checkIntervalMs(requestTimeoutMs)
  }
  return tls
    ? { requestTimeout: requestTimeoutMs, https: { cert: tls.cert, key: tls.key, ...timeouts } }
    : { requestTimeout: requestTimeoutMs, http: timeouts }
}
