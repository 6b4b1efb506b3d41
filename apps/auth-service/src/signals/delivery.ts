import { performance } from 'node:perf_hooks'
import type { PollError, PollRequest, PollResponse } from '@repo/contracts/ssf'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { pendingEvents, setClaims } from './pending-events.js'
import { applyAcks, jtisOf, unknownJtis } from './poll-acks.js'
import type { SignSet } from './set-signer.js'
import type { SignalLog } from './signal-log.js'
import type { StoredStream } from './stream-store.js'
import { Wakeups } from './wakeups.js'

export type PollOutcome = { status: 200, body: PollResponse } | { status: 400, body: PollError }

export interface DeliveryOptions {
  db: SqlDatabase
  log: SignalLog
  signSet: SignSet
  issuer: string
  /** A waiting poll looks again this often, whatever woke it or not (a dropped LISTEN, another process's write). */
  recheckMs: number
  longPollTimeoutMs: number
  now: () => number
}

/** A poll answers at most this many SETs (RFC 8936 lets the transmitter choose). */
const MAX_EVENTS = 100
/** How many jtis of a refused poll the error names, and how much of each (the answer's schema caps its length). */
const NAMED_JTIS = 5
const NAMED_JTI_LENGTH = 128

const NOTHING: PollOutcome = { status: 200, body: { sets: {} } }

/**
 * Poll delivery (RFC 8936): acknowledgements first, then the stream's pending events as SETs signed
 * now (a redelivery has a new `iat`; receivers drop duplicates by `jti`). With none pending a poll
 * waits, holding neither a connection nor a transaction, until woken, re-checking every `recheckMs`.
 */
export class Delivery {
  readonly #options: DeliveryOptions
  readonly #wakeups = new Wakeups()
  readonly #stopAnnounce: () => void
  #closed = false

  constructor (options: DeliveryOptions) {
    this.#options = options
    this.#stopAnnounce = options.log.onAnnounce(() => this.wake())
  }

  async poll (stream: StoredStream, request: PollRequest, abort: AbortSignal): Promise<PollOutcome> {
    const { db, now } = this.#options
    // Nothing is applied unless every jti is known: a receiver's bug shows at once, not as lost events.
    const unknown = await unknownJtis(db, stream.streamId, jtisOf(request))
    if (unknown.length > 0) {
      const named = unknown.slice(0, NAMED_JTIS).map((jti) => jti.slice(0, NAMED_JTI_LENGTH))
      const description = `unknown jti on this stream: ${named.join(', ')}`
      return { status: 400, body: { err: 'invalid_request', description } }
    }
    await applyAcks(db, stream.streamId, request, now())
    await db.run('UPDATE ssf_streams SET last_polled_at = $1 WHERE stream_id = $2', [now(), stream.streamId])
    if (request.maxEvents === 0 || stream.status !== 'enabled') return NOTHING
    const limit = Math.min(request.maxEvents ?? MAX_EVENTS, MAX_EVENTS)
    const found = await this.#answer(stream, limit)
    if (found !== undefined || request.returnImmediately === true) return found ?? NOTHING
    return this.#wait(stream, limit, abort)
  }

  /** Every waiting poll looks again now (a PostgreSQL NOTIFY arrived, or an event was announced here). */
  wake (): void {
    this.#wakeups.wakeAll()
  }

  get waiting (): number {
    return this.#wakeups.size
  }

  /** Answers every waiting poll with no SETs, and every later one at once (the app is closing). */
  close (): void {
    this.#closed = true
    this.#stopAnnounce()
    this.#wakeups.endAll()
  }

  async #wait (stream: StoredStream, limit: number, abort: AbortSignal): Promise<PollOutcome> {
    const deadline = performance.now() + this.#options.longPollTimeoutMs
    const waiter = this.#wakeups.waiter(abort)
    try {
      for (;;) {
        const left = deadline - performance.now()
        if (this.#closed || waiter.ended || left <= 0) return NOTHING
        await waiter.next(Math.min(this.#options.recheckMs, left))
        if (this.#closed || waiter.ended) return NOTHING
        const found = await this.#answer(stream, limit)
        if (found !== undefined) return found
      }
    } finally {
      waiter.dispose()
    }
  }

  /** The pending SETs, up to `limit`, or undefined when there are none. */
  async #answer (stream: StoredStream, limit: number): Promise<PollOutcome | undefined> {
    const { db, signSet, issuer, now } = this.#options
    const events = await pendingEvents(db, stream, limit + 1)
    if (events.length === 0) return undefined
    const sets: Record<string, string> = {}
    for (const event of events.slice(0, limit)) {
      const claims = setClaims(event, stream, issuer, now())
      sets[claims.jti] = await signSet(claims)
    }
    return { status: 200, body: events.length > limit ? { sets, moreAvailable: true } : { sets } }
  }
}
