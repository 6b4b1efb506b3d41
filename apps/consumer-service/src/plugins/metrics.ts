import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { serveMetrics } from '@repo/service-kit/metrics'
import type { RejectionReason } from '../errors.js'

export type VerificationOutcome =
  | { outcome: 'accepted', reason: 'none' | 'dpop' }
  | { outcome: 'rejected', reason: RejectionReason }
  | { outcome: 'unavailable', reason: 'keys_unavailable' | 'replay_cache_unavailable' | 'signals_unavailable' }

/** One registry and its metrics for one app instance: tests build many apps in one process. */
export interface ConsumerMetrics {
  registry: Registry
  /**
   * Each verification decision (`accepted` with reason `none` for a bearer token, `dpop` for a
   * DPoP-bound one with its proof). A token refused by `requireScope` was first counted `accepted` by
   * authentication: the scope check is a second decision on the same request, counted on its own.
   */
  jwtVerifications: Counter<'outcome' | 'reason'>
  /**
   * `jwtVerifications` for `{ outcome: 'accepted' }` with reason `none` (a bearer token) or `dpop`: the
   * series that move on every request, plain counts added to the counter whenever the counter is read.
   */
  countAccepted: (reason: 'none' | 'dpop') => void
  /** The next three are read from the trusted issuers' keys at scrape time; nothing increments them. */
  jwksFetches: Counter<'issuer' | 'result'>
  jwksSecondsSinceLastSuccess: Gauge<'issuer'>
  jwksKeysKnown: Gauge<'issuer'>
  /** Set by `serveMetrics` (@repo/service-kit/metrics) when the plugin registers. */
  httpRequestDuration?: Histogram<'method' | 'route' | 'status_code'>
}

/** What the scrape-time gauges read from each trusted issuer's keys. */
export interface IssuerKeysView {
  readonly issuer: string
  readonly usableKeys: number
  readonly lastSuccessAt: number | undefined
  readonly fetchCounts: { readonly ok: number, readonly error: number }
}

/** Creates the registry and metrics; `issuers` and `now` are read at scrape time only. */
export function createConsumerMetrics (issuers: () => Iterable<IssuerKeysView>, now: () => number): ConsumerMetrics {
  const registry = new Registry()
  const registers = [registry]
  const accepted = { none: 0, dpop: 0 }
  const jwtVerifications = new Counter({
    name: 'jwt_verifications_total',
    help: 'Access token verifications by outcome and bounded reason',
    labelNames: ['outcome', 'reason'] as const,
    registers,
    collect () {
      for (const reason of ['none', 'dpop'] as const) {
        if (accepted[reason] === 0) continue
        this.inc({ outcome: 'accepted', reason }, accepted[reason])
        accepted[reason] = 0
      }
    }
  })
  // The fetch counts live in IssuerKeys (which fetches during start-up, before any scrape); the
  // counter reports them as they are. The issuer label is a configured URL: bounded by config.
  const jwksFetches = new Counter({
    name: 'jwks_fetches_total',
    help: 'JWKS fetches per trusted issuer and result',
    labelNames: ['issuer', 'result'] as const,
    registers,
    collect () {
      this.reset()
      for (const keys of issuers()) {
        this.inc({ issuer: keys.issuer, result: 'ok' }, keys.fetchCounts.ok)
        this.inc({ issuer: keys.issuer, result: 'error' }, keys.fetchCounts.error)
      }
    }
  })
  const jwksSecondsSinceLastSuccess = new Gauge({
    name: 'jwks_seconds_since_last_success',
    help: 'Seconds since the last successful JWKS fetch per trusted issuer (absent until one succeeds)',
    labelNames: ['issuer'] as const,
    registers,
    collect () {
      this.reset()
      for (const keys of issuers()) {
        if (keys.lastSuccessAt !== undefined) this.set({ issuer: keys.issuer }, (now() - keys.lastSuccessAt) / 1000)
      }
    }
  })
  const jwksKeysKnown = new Gauge({
    name: 'jwks_keys_known',
    help: 'Usable verification keys per trusted issuer, as of its last successful JWKS fetch',
    labelNames: ['issuer'] as const,
    registers,
    collect () {
      this.reset()
      for (const keys of issuers()) this.set({ issuer: keys.issuer }, keys.usableKeys)
    }
  })
  const countAccepted = (reason: 'none' | 'dpop') => { accepted[reason]++ }
  return { registry, jwtVerifications, countAccepted, jwksFetches, jwksSecondsSinceLastSuccess, jwksKeysKnown }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ConsumerMetrics
  }
}

export interface MetricsPluginOptions {
  /** `METRICS_ENABLED`: when false the metrics are still counted (the code increments them) but never served. */
  enabled: boolean
  /** `METRICS_PORT`: serve `/metrics` on its own listener on `host` instead of the service's port. */
  port: number | undefined
  host: string
  /** `REQUEST_TIMEOUT`, for that listener too. */
  requestTimeoutMs: number
  now: () => number
}

/**
 * `GET /metrics` in Prometheus text format from a registry of this app's own, and the HTTP request
 * histogram, both from @repo/service-kit/metrics; the metrics above are this service's own.
 */
export const metricsPlugin = fp(async function metrics (
  app: FastifyInstance,
  { enabled, port, host, requestTimeoutMs, now }: MetricsPluginOptions
) {
  const issuerKeys = () => app.hasDecorator('trustedIssuers')
    ? [...app.trustedIssuers.values()].map(({ keys }) => keys)
    : []
  const metrics = createConsumerMetrics(issuerKeys, now)
  app.decorate('metrics', metrics)

  metrics.httpRequestDuration = serveMetrics(app, { registry: metrics.registry, enabled, port, host, requestTimeoutMs })
}, { name: 'metrics' })
