import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { serveMetrics } from '@repo/service-kit/metrics'
import { isDatabaseUnavailable } from '@repo/service-kit/sql'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { KeyStore, type KeyState, type StoredKey } from '../keys/key-store.js'

/** `grant_type` as a label: the three this service supports, and one value for anything a client sends. */
export type GrantTypeLabel = 'authorization_code' | 'client_credentials' | 'refresh_token' | 'other'
export const grantTypeLabel = (grantType: unknown): GrantTypeLabel =>
  grantType === 'authorization_code' || grantType === 'client_credentials' || grantType === 'refresh_token'
    ? grantType
    : 'other'

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
  /** `limit`: per_ip, failures_per_name_and_ip or failures_per_name (rate-limits/credential-limiters.ts). */
  rateLimitRejections: Counter<'limit'>
  refreshTokenReuseDetections: Counter
  /** The next two are read from the key store at scrape time (kept while it is unreachable); nothing sets them. */
  signingKeys: Gauge<'state'>
  secondsUntilNextRotation: Gauge
  /** Shared Signals polls answered, by `outcome`: `sets`, `empty`, `refused` (400) or `no_stream` (404). */
  ssfPolls: Counter<'outcome'>
  /** SETs receivers reported as not accepted (`setErrs`), by `err` (SET_ERROR_CODES, else `other`). */
  ssfSetErrors: Counter<'err'>
  /** Long polls waiting in this process now: which replica holds the receivers. Read at scrape time. */
  ssfPollsWaiting: Gauge
  /** Set by `serveMetrics` (@repo/service-kit/metrics) when the plugin registers. */
  httpRequestDuration?: Histogram<'method' | 'route' | 'status_code'>
}

/** What is read from the Shared Signals transmitter at scrape time (0 before it exists). */
export interface SignalsGauges {
  pollsWaiting: () => number
}

export interface RotationClock {
  now: () => number
  /** The configured algorithm: its active key is the one that rotates (as in keys/key-lifecycle.ts). */
  signingAlg: SigningAlgorithm
  rotationIntervalMs: number
}

/** Creates the registry and metrics; `keys` and the clock are read at scrape time only. */
export function createAuthMetrics (
  keys: () => Promise<StoredKey[] | undefined>, { now, signingAlg, rotationIntervalMs }: RotationClock,
  signals: SignalsGauges = { pollsWaiting: () => 0 }
): AuthMetrics {
  const registry = new Registry()
  const registers = [registry]
  const logins = new Counter({
    name: 'logins_total',
    help: 'Logins by outcome',
    labelNames: ['outcome'] as const,
    registers
  })
  const tokenRequests = new Counter({
    name: 'token_requests_total',
    help: 'Token endpoint requests by grant type and outcome (ok or the OAuth error code)',
    labelNames: ['grant_type', 'outcome'] as const,
    registers
  })
  const rateLimitRejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused by a brute-force limit, by limit',
    labelNames: ['limit'] as const,
    registers
  })
  const refreshTokenReuseDetections = new Counter({
    name: 'refresh_token_reuse_detections_total',
    help: 'Used refresh tokens presented again (their family is revoked)',
    registers
  })
  const signingKeys = new Gauge({
    name: 'signing_keys',
    help: 'Signing keys in the key store by lifecycle state',
    labelNames: ['state'] as const,
    registers,
    async collect () {
      const all = await keys()
      if (all === undefined) return
      for (const state of KEY_STATES) this.set({ state }, all.filter((key) => key.state === state).length)
    }
  })
  const secondsUntilNextRotation = new Gauge({
    name: 'seconds_until_next_rotation',
    help: 'Seconds until the active signing key is due to be replaced (negative when overdue; absent without one)',
    registers,
    async collect () {
      const all = await keys()
      if (all === undefined) return
      this.reset()
      const active = all.find((key) => key.state === 'active' && key.alg === signingAlg)
      // During a change of SIGNING_ALG the next rotation is the switch: when the new algorithm's key signs.
      const switching = all.find((key) => key.state === 'next' && key.alg === signingAlg)
      if (active) this.set(((active.activatedAt ?? active.createdAt) + rotationIntervalMs - now()) / 1000)
      else if (switching?.activatesAt) this.set((switching.activatesAt - now()) / 1000)
    }
  })
  const ssfPolls = new Counter({
    name: 'ssf_polls_total',
    help: 'Shared Signals poll requests answered, by outcome (sets, empty, refused, no_stream)',
    labelNames: ['outcome'] as const,
    registers
  })
  const ssfSetErrors = new Counter({
    name: 'ssf_set_errors_total',
    help: 'SETs a receiver reported as not accepted (setErrs), by error code',
    labelNames: ['err'] as const,
    registers
  })
  const ssfPollsWaiting = new Gauge({
    name: 'ssf_polls_waiting',
    help: 'Shared Signals long polls waiting in this process for an event',
    registers,
    collect () {
      this.set(signals.pollsWaiting())
    }
  })
  return {
    registry,
    logins,
    tokenRequests,
    rateLimitRejections,
    refreshTokenReuseDetections,
    signingKeys,
    secondsUntilNextRotation,
    ssfPolls,
    ssfSetErrors,
    ssfPollsWaiting
  }
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
  /** `REQUEST_TIMEOUT`, for that listener too. */
  requestTimeoutMs: number
}

/**
 * `GET /metrics` in Prometheus text format from a registry of this app's own, and the HTTP request
 * histogram, both from @repo/service-kit/metrics; the metrics above are this service's own.
 */
export const metricsPlugin = fp(async function metrics (
  app: FastifyInstance,
  { enabled, port, host, requestTimeoutMs, now, signingAlg, rotationIntervalMs }: MetricsPluginOptions
) {
  // The key store is read at scrape time, from the database the database plugin opens later. While the
  // database is away the key gauges keep their last values: the scrape, database_up 0 included, still succeeds.
  const storedKeys = async () => {
    if (!app.hasDecorator('db')) return []
    return new KeyStore(app.db).all().catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) return undefined
      throw error
    })
  }
  // The transmitter is decorated later (plugins/ssf-transmitter.ts); a scrape before that reads 0.
  const pollsWaiting = () => app.hasDecorator('ssfDelivery') ? app.ssfDelivery.waiting : 0
  const metrics = createAuthMetrics(storedKeys, { now, signingAlg, rotationIntervalMs }, { pollsWaiting })
  app.decorate('metrics', metrics)

  metrics.httpRequestDuration = serveMetrics(app, { registry: metrics.registry, enabled, port, host, requestTimeoutMs })
}, { name: 'metrics' })
