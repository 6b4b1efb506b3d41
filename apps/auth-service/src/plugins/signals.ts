import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { SignalLog } from '../signals/signal-log.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Security events for the Shared Signals receivers: record one with the state change that caused it. */
    signals: SignalLog
  }
}

export interface SignalsPluginOptions {
  /** Milliseconds since the epoch. */
  now: () => number
}

/** The Shared Signals transmitter's event log (signals/*). */
export const signalsPlugin = fp(async function signals (app: FastifyInstance, { now }: SignalsPluginOptions) {
  app.decorate('signals', new SignalLog(app.db, now))
}, { name: 'signals', dependencies: ['database'] })
