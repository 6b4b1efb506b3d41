import Fastify, { type FastifyInstance } from 'fastify'
import { Histogram, type Registry } from 'prom-client'
import { serverOptions } from './server-options.js'

export interface MetricsEndpointOptions {
  /** The app's own registry (tests build many apps in one process: never the global one). */
  registry: Registry
  /** `METRICS_ENABLED`: when false the metrics are still counted but never served. */
  enabled: boolean
  /** `METRICS_PORT`: serve `/metrics` on its own listener on `host` instead of the service's port. */
  port: number | undefined
  host: string
  /** `REQUEST_TIMEOUT`: the metrics listener cuts slow requests as the service's own does. */
  requestTimeoutMs: number
}

/** A request that matched no route is one label value, never its URL. */
const UNMATCHED_ROUTE = '(unmatched)'

/**
 * What both services' metrics plugins share: `http_request_duration_seconds` labelled by method,
 * route pattern and status, and `GET /metrics` in Prometheus text format.
 *
 * Served on the service's port by default. With `METRICS_PORT` it is a second Fastify instance on
 * that port (bound to HOST), started when the app is ready and closed with it, so a scraper can be
 * let in on a port the public is not. fastify-metrics is not used: v14 brings its own client
 * (@prometheus-io/client) and registry type beside prom-client's, and these lines give the same
 * histogram labelled with the route pattern.
 */
export function serveMetrics (
  app: FastifyInstance,
  { registry, enabled, port, host, requestTimeoutMs }: MetricsEndpointOptions
): Histogram<'method' | 'route' | 'status_code'> {
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry]
  })
  // A callback hook: an async one costs a promise per request, for nothing to wait on.
  app.addHook('onResponse', (request, reply, done) => {
    httpRequestDuration.observe({
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode)
    }, reply.elapsedTime / 1000)
    done()
  })

  if (!enabled) return httpRequestDuration
  const serve = (server: FastifyInstance) => server.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
  if (port === undefined) {
    serve(app)
    return httpRequestDuration
  }
  const server = Fastify({ logger: false, ...serverOptions({ requestTimeoutMs }) })
  serve(server)
  // onReady, not onListen: Fastify does not wait for onListen hooks and only logs their errors, so a
  // port already taken would go unnoticed. So it binds when the app is ready (inject makes it ready too).
  app.addHook('onReady', async () => {
    await server.listen({ port, host })
    app.log.info({ port, host }, 'metrics listening')
  })
  app.addHook('onClose', async () => { await server.close() })
  return httpRequestDuration
}
