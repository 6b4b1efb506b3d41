import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { Agent, Dispatcher1Wrapper } from 'undici'
import type { SignalsIssuerHealth } from '@repo/contracts/health'
import { IssuerSignals, type OutagePolicy } from '../signals/issuer-signals.js'
import { NotBeforeStore } from '../signals/not-before.js'
import { realSleep, SignalsReceiver, type Sleep } from '../signals/receiver.js'
import { SET_OUTCOMES, SetHandler } from '../signals/set-handler.js'
import { TransmitterClient } from '../signals/transmitter-client.js'
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

/** A long poll answers within 25 s at the transmitter; past 35 s without headers it is hung. */
const POLL_HEADERS_TIMEOUT_MS = 35_000
/** 50 SETs of a few kilobytes each, with room to spare. */
const MAX_ANSWER_BYTES = 1024 * 1024

/**
 * A Shared Signals receiver for each trusted issuer configured with `ssf` credentials: started when
 * the app is ready, stopped (the long poll in flight aborted) when it closes. Its own HTTP agent:
 * long polls must not share the JWKS fetches' 2 s timeouts.
 */
export const signalsPlugin = fp(async function signals (app: FastifyInstance, options: SignalsPluginOptions) {
  const { now, retainSeconds } = options
  const dispatcher = new Dispatcher1Wrapper(new Agent({
    connectTimeout: options.metadataTimeoutMs,
    headersTimeout: POLL_HEADERS_TIMEOUT_MS,
    bodyTimeout: POLL_HEADERS_TIMEOUT_MS,
    maxResponseSize: MAX_ANSWER_BYTES
  }))
  const sets = new Counter({
    name: 'ssf_sets_total',
    help: 'Security Event Tokens received per issuer and outcome',
    labelNames: ['issuer', 'outcome'] as const,
    registers: [app.metrics.registry]
  })
  const registry = new Map<string, IssuerSignals>()
  for (const trusted of options.issuers) {
    const credentials = trusted.ssf
    const keys = app.trustedIssuers.get(trusted.issuer)?.keys
    if (credentials === undefined || keys === undefined) continue
    const { issuer } = trusted
    const log = app.log.child({ component: 'signals', issuer })
    for (const outcome of SET_OUTCOMES) sets.inc({ issuer, outcome }, 0)
    const { maxEntries } = options
    const store = new NotBeforeStore({ retainSeconds, maxEntries })
    const handler = new SetHandler({
      maxEntries,
      issuer,
      clientId: credentials.clientId,
      algorithms: options.allowedAlgs,
      keys,
      store,
      retainSeconds,
      now,
      log,
      count: (outcome) => sets.inc({ issuer, outcome })
    })
    const client = new TransmitterClient({
      issuer, credentials, dispatcher, metadataTimeoutMs: options.metadataTimeoutMs, now
    })
    const receiver = new SignalsReceiver({
      issuer,
      clientId: credentials.clientId,
      description: options.receiverName,
      client,
      handler,
      now,
      log,
      sleep: options.sleep ?? realSleep,
      random: Math.random
    })
    registry.set(issuer, new IssuerSignals(receiver, store, { outage: options.outage, graceMs: options.graceMs, now }))
  }
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
    await dispatcher.close()
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
