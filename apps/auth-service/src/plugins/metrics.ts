import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { KeyStore, type KeyState, type StoredKey } from '../keys/key-store.js'

/** `grant_type` as a label: the two this service supports, and one value for anything a client sends. */
export type GrantTypeLabel = 'client_credentials' | 'refresh_token' | 'other'
export const grantTypeLabel = (grantType: unknown): GrantTypeLabel =>
  grantType === 'client_credentials' || grantType === 'refresh_token' ? grantType : 'other'

const KEY_STATES: readonly KeyState[] = ['next', 'active', 'retiring', 'retired']

/**
 * One registry and its metrics for one app instance: tests build many apps in one process. No
 * label carries a token, user name, client id or secret: every label value comes from a fixed set.
 */
export interface AuthMetrics {
  registry: Registry
  logins: Counter<'outcome'>
  /** `outcome` is `ok` or the RFC 6749 error code answered (a fixed set). */
  tokenRequests: Counter<'grant_type' | 'outcome'>
  /** `limit`: per_ip, failures_per_name_and_ip or failures_per_name (plugins/rate-limits.ts). */
  rateLimitRejections: Counter<'limit'>
  refreshTokenReuseDetections: Counter
  /** The next two are read from the key store at scrape time; nothing sets them. */
  signingKeys: Gauge<'state'>
  secondsUntilNextRotation: Gauge
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>
}

export interface RotationClock {
  now: () => number
  /** The configured algorithm: its active key is the one that rotates (as in keys/key-lifecycle.ts). */
  signingAlg: SigningAlgorithm
  rotationIntervalMs: number
}

/** Creates the registry and metrics; `keys` and the clock are read at scrape time only. */
export function createAuthMetrics (keys: () => StoredKey[], { now, signingAlg, rotationIntervalMs }: RotationClock): AuthMetrics {
  const registry = new Registry()
  const registers = [registry]
  const logins = new Counter({ name: 'logins_total', help: 'Logins by outcome', labelNames: ['outcome'] as const, registers })
  const tokenRequests = new Counter({
    name: 'token_requests_total',
    help: 'Token endpoint requests by grant type and outcome (ok or the OAuth error code)',
    labelNames: ['grant_type', 'outcome'] as const,
    registers
  })
  const rateLimitRejections = new Counter({
    name: 'rate_limit_rejections_total', help: 'Requests refused by a brute-force limit, by limit', labelNames: ['limit'] as const, registers
  })
  const refreshTokenReuseDetections = new Counter({
    name: 'refresh_token_reuse_detections_total', help: 'Used refresh tokens presented again (their family is revoked)', registers
  })
  const signingKeys = new Gauge({
    name: 'signing_keys',
    help: 'Signing keys in the key store by lifecycle state',
    labelNames: ['state'] as const,
    registers,
    collect () {
      const all = keys()
      for (const state of KEY_STATES) this.set({ state }, all.filter((key) => key.state === state).length)
    }
  })
  const secondsUntilNextRotation = new Gauge({
    name: 'seconds_until_next_rotation',
    help: 'Seconds until the active signing key is due to be replaced (negative when overdue; absent without one)',
    registers,
    collect () {
      this.reset()
      const active = keys().find((key) => key.state === 'active' && key.alg === signingAlg)
      if (active) this.set(((active.activatedAt ?? active.createdAt) + rotationIntervalMs - now()) / 1000)
    }
  })
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers
  })
  return { registry, logins, tokenRequests, rateLimitRejections, refreshTokenReuseDetections, signingKeys, secondsUntilNextRotation, httpRequestDuration }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AuthMetrics
  }
}

export interface MetricsPluginOptions extends RotationClock {
  /** `METRICS_ENABLED`: when false the metrics are still counted (the code increments them) but never served. */
  enabled: boolean
  /** `METRICS_PORT`: serve `/metrics` on its own listener on `host` instead of the service's port. */
  port: number | undefined
  host: string
}

/** A request that matched no route is one label value, never its URL. */
const UNMATCHED_ROUTE = '(unmatched)'

/**
 * `GET /metrics` in Prometheus text format, from a registry of this app's own.
 *
 * Served on the service's port by default. With `METRICS_PORT` it is a second Fastify instance on
 * that port (bound to HOST), started when the app is ready and closed with it, so a scraper can
 * be allowed in on a port the public is not. fastify-metrics is not used: v14 brings its own client
 * (@prometheus-io/client) and registry type beside prom-client's, and a dozen lines here give the
 * same histogram labelled with the route pattern.
 */
export const metricsPlugin = fp(async function metrics (app: FastifyInstance, { enabled, port, host, now, signingAlg, rotationIntervalMs }: MetricsPluginOptions) {
  // The key store is read at scrape time, from the database the database plugin opens later.
  const metrics = createAuthMetrics(() => app.hasDecorator('db') ? new KeyStore(app.db).all() : [], { now, signingAlg, rotationIntervalMs })
  app.decorate('metrics', metrics)

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe({
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode)
    }, reply.elapsedTime / 1000)
  })

  if (!enabled) return
  const serve = (server: FastifyInstance) => server.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType)
    return metrics.registry.metrics()
  })
  if (port === undefined) {
    serve(app)
    return
  }
  const server = Fastify({ logger: false })
  serve(server)
  // onReady, not onListen: Fastify does not wait for onListen hooks and only logs their errors, so a
  // port already taken would go unnoticed. So it binds when the app is ready (inject makes it ready too).
  app.addHook('onReady', async () => {
    await server.listen({ port, host })
    app.log.info({ port, host }, 'metrics listening')
  })
  app.addHook('onClose', async () => { await server.close() })
}, { name: 'metrics' })
