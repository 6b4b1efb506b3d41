import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import type { SignalsIssuerHealth } from '@repo/contracts/health'
import type { IssuerSignals, OutagePolicy } from '../signals/issuer-signals.js'
import type { IssuerReceivers, SignallingIssuer } from '../signals/issuer-receivers.js'
import type { Sleep } from '../signals/receiver.js'
import type { TrustedIssuer } from '../trusted-issuers.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The issuers that send this service revocation signals, by their exact `iss`; empty: none does. */
    signals: ReadonlyMap<string, IssuerSignals>
  }
}

export interface SignalsPluginOptions {
  issuers: readonly TrustedIssuer[]
  /** `SSF_RECEIVER_NAME`: every stream's description. */
  receiverName: string
  outage: OutagePolicy
  graceMs: number
  startupWaitMs: number
  /** `SSF_MAX_TOKEN_LIFETIME` + `CLOCK_TOLERANCE`: how long a revocation can still refuse a valid token. */
  retainSeconds: number
  /** `SSF_MAX_ENTRIES`: the most not-before entries (and jtis) kept per issuer. */
  maxEntries: number
  allowedAlgs: readonly string[]
  metadataTimeoutMs: number
  now: () => number
  sleep?: Sleep | undefined
}

/**
 * A Shared Signals receiver for each trusted issuer configured with `ssf` credentials: started when
 * the app is ready, stopped (the long poll in flight aborted) when it closes. The receivers' code (SET
 * verification, the stream and poll schemas compiled into validators, jose) is loaded only when some
 * issuer sends signals: a consumer without any does not carry it (about 5 MiB).
 */
export const signalsPlugin = fp(async function signals (app: FastifyInstance, options: SignalsPluginOptions) {
  const { now } = options
  const signalling = options.issuers.flatMap(({ issuer, ssf: credentials }): SignallingIssuer[] => {
    const keys = app.trustedIssuers.get(issuer)?.keys
    return credentials === undefined || keys === undefined ? [] : [{ issuer, credentials, keys }]
  })
  const sets = new Counter({
    name: 'ssf_sets_total',
    help: 'Security Event Tokens received per issuer and outcome',
    labelNames: ['issuer', 'outcome'] as const,
    registers: [app.metrics.registry]
  })
  const receivers: IssuerReceivers = signalling.length === 0
    ? { registry: new Map(), close: async () => {} }
    : (await import('../signals/issuer-receivers.js')).issuerReceivers(app, signalling, sets, options)
  const { registry } = receivers
  app.decorate('signals', registry)
  registerGauges(app, registry)

  const startedAt = now()
  app.decorate('signalsReady', () => now() - startedAt >= options.startupWaitMs ||
    [...registry.values()].every(({ receiver }) => receiver.caughtUp || receiver.state === 'off'))
  app.decorate('signalsHealth', () => {
    if (registry.size === 0) return undefined
    const signals: Record<string, SignalsIssuerHealth> = {}
    for (const [issuer, one] of registry) signals[issuer] = one.health()
    return { signals }
  })

  app.addHook('onReady', async () => {
    for (const { receiver } of registry.values()) receiver.start()
  })
  app.addHook('onClose', async () => {
    await Promise.all([...registry.values()].map(({ receiver }) => receiver.stop()))
    await receivers.close()
  })
}, { name: 'signals', dependencies: ['trusted-issuers', 'metrics'] })

declare module 'fastify' {
  interface FastifyInstance {
    /** Until every signals stream has caught up (or SSF_STARTUP_WAIT passed), no token is accepted as current. */
    signalsReady: () => boolean
    signalsHealth: () => { signals: Record<string, SignalsIssuerHealth> } | undefined
  }
}

function registerGauges (app: FastifyInstance, registry: ReadonlyMap<string, IssuerSignals>): void {
  const registers: [] = []
  app.metrics.registry.registerMetric(new Gauge({
    name: 'ssf_signals_up',
    help: 'Whether an issuer\'s revocation signals are live (1) or not (0)',
    labelNames: ['issuer'] as const,
    registers,
    collect () {
      for (const [issuer, one] of registry) this.set({ issuer }, one.receiver.state === 'live' ? 1 : 0)
    }
  }))
  app.metrics.registry.registerMetric(new Gauge({
    name: 'ssf_not_before_entries',
    help: 'Not-before entries held per issuer',
    labelNames: ['issuer'] as const,
    registers,
    collect () {
      for (const [issuer, one] of registry) this.set({ issuer }, one.store.size)
    }
  }))
}
