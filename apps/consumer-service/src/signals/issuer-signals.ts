import type { SignalsIssuerHealth } from '@repo/contracts/health'
import type { NotBeforeStore, RevocableClaims } from './not-before.js'
import type { SignalsReceiver } from './receiver.js'

export type OutagePolicy = 'serve' | 'refuse'

/** What the request path is told about a verified token of an issuer that sends signals. */
export type SignalsVerdict = 'revoked' | 'unavailable' | undefined

export interface IssuerSignalsOptions {
  outage: OutagePolicy
  graceMs: number
  now: () => number
}

/** One issuer's receiver and not-before store, as the request path, health and metrics see them. */
export class IssuerSignals {
  readonly receiver: SignalsReceiver
  readonly store: NotBeforeStore
  readonly #options: IssuerSignalsOptions

  constructor (receiver: SignalsReceiver, store: NotBeforeStore, options: IssuerSignalsOptions) {
    this.receiver = receiver
    this.store = store
    this.#options = options
  }

  /** With `SSF_OUTAGE=refuse`: whether the issuer's signals have been unreachable longer than the grace. */
  refusing (): boolean {
    const since = this.receiver.unreachableSince
    const { outage, now, graceMs } = this.#options
    return outage === 'refuse' && since !== undefined && now() - since > graceMs
  }

  /** Run on every request with a token of this issuer: keep it cheap. */
  check (claims: RevocableClaims): SignalsVerdict {
    if (this.store.isRevoked(claims)) return 'revoked'
    return this.refusing() ? 'unavailable' : undefined
  }

  health (): SignalsIssuerHealth {
    const { receiver, store } = this
    const { now, outage, graceMs } = this.#options
    const since = receiver.unreachableSince
    const unreachableMs = since === undefined ? undefined : Math.max(0, now() - since)
    const state = receiver.state === 'unreachable' && this.refusing() ? 'refusing' : receiver.state
    return {
      state,
      ...(receiver.streamId === undefined ? {} : { stream_id: receiver.streamId }),
      ...(receiver.lastPollOk === undefined ? {} : { last_poll_ok: new Date(receiver.lastPollOk).toISOString() }),
      ...(unreachableMs === undefined ? {} : { unreachable_seconds: Math.floor(unreachableMs / 1000) }),
      entries: store.size,
      outage_policy: outage,
      ...(unreachableMs === undefined || outage !== 'refuse'
        ? {}
        : { refusing_in_seconds: Math.max(0, Math.ceil((graceMs - unreachableMs) / 1000)) })
    }
  }
}
