import type { FastifyInstance } from 'fastify'
import type { Counter } from 'prom-client'
import { Agent, Dispatcher1Wrapper } from 'undici'
import type { SignalsPluginOptions } from '../plugins/signals.js'
import type { Trusted } from '../plugins/trusted-issuers.js'
import { IssuerSignals } from './issuer-signals.js'
import { NotBeforeStore } from './not-before.js'
import { realSleep, SignalsReceiver } from './receiver.js'
import { SET_OUTCOMES, SetHandler } from './set-handler.js'
import type { SsfCredentials } from './ssf-credentials.js'
import { TransmitterClient } from './transmitter-client.js'

/** A long poll answers within 25 s at the transmitter; past 35 s without headers it is hung. */
const POLL_HEADERS_TIMEOUT_MS = 35_000
/** 50 SETs of a few kilobytes each, with room to spare. */
const MAX_ANSWER_BYTES = 1024 * 1024

/** A trusted issuer that sends this service signals: its credentials and its keys (which verify its SETs). */
export interface SignallingIssuer {
  issuer: string
  credentials: SsfCredentials
  keys: Trusted['keys']
}

export interface IssuerReceivers {
  registry: ReadonlyMap<string, IssuerSignals>
  /** Closes the receivers' HTTP agent, once every receiver has stopped. */
  close: () => Promise<void>
}

/**
 * A receiver, its not-before store and its SET handler for each issuer that sends signals, sharing one
 * HTTP agent of their own: long polls must not share the JWKS fetches' 2 s timeouts. Not started here.
 * `sets` counts the SETs received per issuer and outcome.
 */
export function issuerReceivers (
  app: FastifyInstance,
  issuers: readonly SignallingIssuer[],
  sets: Counter<'issuer' | 'outcome'>,
  options: SignalsPluginOptions
): IssuerReceivers {
  const { now, retainSeconds, maxEntries } = options
  const dispatcher = new Dispatcher1Wrapper(new Agent({
    connectTimeout: options.metadataTimeoutMs,
    headersTimeout: POLL_HEADERS_TIMEOUT_MS,
    bodyTimeout: POLL_HEADERS_TIMEOUT_MS,
    maxResponseSize: MAX_ANSWER_BYTES
  }))
  const registry = new Map<string, IssuerSignals>()
  for (const { issuer, credentials, keys } of issuers) {
    const log = app.log.child({ component: 'signals', issuer })
    for (const outcome of SET_OUTCOMES) sets.inc({ issuer, outcome }, 0)
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
  return { registry, close: () => dispatcher.close() }
}
