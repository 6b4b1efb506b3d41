import type { FastifyBaseLogger } from 'fastify'
import { Compile } from 'typebox/compile'
import { PollResponseSchema, type PollRequest } from '@repo/contracts/ssf'
import { openStream, type OpenStream } from './stream-setup.js'
import type { SetHandler, Replies } from './set-handler.js'
import { TransmitterRefused, TransmitterUnreachable, type TransmitterClient } from './transmitter-client.js'

export type ReceiverState = 'starting' | 'live' | 'unreachable' | 'off'

/** Waits `ms`, or less when `signal` aborts. Tests pass their own: no test waits for real backoff. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>

export interface ReceiverOptions {
  issuer: string
  clientId: string
  /** The `description` of this receiver's stream, how it finds (and deletes) its earlier one. */
  description: string
  client: TransmitterClient
  handler: SetHandler
  now: () => number
  sleep: Sleep
  random: () => number
  log: FastifyBaseLogger
}

const pollResponse = Compile(PollResponseSchema)
/** RFC 8936 lets the receiver ask for fewer: a bounded answer is checked and applied in a few milliseconds. */
const MAX_EVENTS = 50
/** After a network error or a 5xx, the waits before the next attempts (±20 %), the last one repeated. */
const BACKOFF_MS = [0, 500, 1000, 2000, 4000, 8000, 10_000]
/** The wait after an answer with a SET whose key could not be had, so it comes back without a hot loop. */
const KEY_UNAVAILABLE_WAIT_MS = 1000

/**
 * One issuer's poll loop (RFC 8936): opens a stream, then polls, returning at once until it has
 * caught up and long-polling after; the acks and setErrs of an answer ride on the next poll. Not
 * reached, it keeps what it knows and says since when (`unreachableSince`).
 */
export class SignalsReceiver {
  readonly #options: ReceiverOptions
  readonly #abort = new AbortController()
  #loop: Promise<void> | undefined
  #stream: OpenStream | undefined
  #caughtUp = false
  #everCaughtUp = false
  #verified = false
  #paused = false
  #off = false
  #failures = 0
  #failingSince: number | undefined
  #lastPollOk: number | undefined
  #replies: Replies = { ack: [], setErrs: {} }

  constructor (options: ReceiverOptions) {
    this.#options = options
  }

  get issuer (): string {
    return this.#options.issuer
  }

  get streamId (): string | undefined {
    return this.#stream?.streamId
  }

  get lastPollOk (): number | undefined {
    return this.#lastPollOk
  }

  /** Whether the stream has once caught up: every revocation that could matter then is known. */
  get caughtUp (): boolean {
    return this.#everCaughtUp
  }

  /** Since when (ms) no poll got an answer: the start of the first request that failed. */
  get unreachableSince (): number | undefined {
    return this.#failingSince
  }

  get state (): ReceiverState {
    if (this.#off) return 'off'
    if (this.#failingSince !== undefined) return 'unreachable'
    return this.#everCaughtUp ? 'live' : 'starting'
  }

  start (): void {
    this.#loop ??= this.#run().catch((error: unknown) => {
      this.#options.log.error({ err: error }, 'the signals receiver stopped')
    })
  }

  /** Ends the loop, the long poll in flight included. */
  async stop (): Promise<void> {
    this.#abort.abort()
    await this.#loop
  }

  async #run (): Promise<void> {
    const { log } = this.#options
    const signal = this.#abort.signal
    while (!signal.aborted) {
      const startedAt = this.#options.now()
      try {
        if (this.#stream === undefined && !await this.#open()) return
        await this.#poll(this.#stream as OpenStream, startedAt)
      } catch (error) {
        if (signal.aborted) return
        this.#failed(startedAt)
        const level = error instanceof TransmitterRefused ? 'error' : 'warn'
        log[level]({ reason: error instanceof Error ? error.message : String(error) }, 'signals poll failed')
        await this.#options.sleep(this.#backoffMs(), signal)
      }
    }
  }

  /** Opens a stream; false when the issuer has no signals to offer (then the receiver is off). */
  async #open (): Promise<boolean> {
    const { client, issuer, clientId, description, log } = this.#options
    const endpoints = await client.discover()
    if ('off' in endpoints) {
      this.#off = true
      log.warn({ reason: endpoints.off }, 'no revocation signals from this issuer')
      return false
    }
    this.#stream = await openStream(client, endpoints, { issuer, clientId, description })
    this.#caughtUp = false
    this.#verified = false
    this.#replies = { ack: [], setErrs: {} }
    log.info({ stream_id: this.#stream.streamId }, 'signals stream opened')
    return true
  }

  async #poll (stream: OpenStream, startedAt: number): Promise<void> {
    const { client, handler, log } = this.#options
    const { ack, setErrs } = this.#replies
    const request: PollRequest = { maxEvents: MAX_EVENTS, returnImmediately: !this.#caughtUp, ack, setErrs }
    const answer = await client.call('POST', stream.pollUrl, request, this.#abort.signal)
    if (answer.status === 404) {
      // Inactivity deleted it, or a twin with the same SSF_RECEIVER_NAME did.
      log.warn({ stream_id: stream.streamId }, 'the signals stream is gone: opening another')
      this.#stream = undefined
      return
    }
    if (answer.status === 400 && (ack.length > 0 || Object.keys(setErrs).length > 0)) {
      // The transmitter applied none of them (RFC 8936 §2.6); sending them again would fail again.
      this.#replies = { ack: [], setErrs: {} }
      this.#succeeded(startedAt)
      const { err, description } = (answer.body ?? {}) as { err?: unknown, description?: unknown }
      log.error({ error_code: String(err).slice(0, 64), description: String(description).slice(0, 300) },
        'the transmitter refused the acknowledgements')
      return
    }
    if (answer.status !== 200 || !pollResponse.Check(answer.body)) {
      throw answer.status >= 500 || answer.status === 200
        ? new TransmitterUnreachable(`the poll answered HTTP ${answer.status}`)
        : new TransmitterRefused(`the poll answered HTTP ${answer.status}`)
    }
    this.#replies = { ack: [], setErrs: {} }
    const handled = await handler.handle(answer.body.sets, stream.state, this.#replies)
    this.#verified ||= handled.verified
    if (handled.paused !== undefined) this.#paused = handled.paused
    this.#succeeded(startedAt)
    if (this.#verified && answer.body.moreAvailable !== true && !handled.keyUnavailable) {
      if (!this.#everCaughtUp) log.info({ stream_id: stream.streamId }, 'signals caught up')
      this.#caughtUp = true
      this.#everCaughtUp = true
    }
    if (handled.keyUnavailable) await this.#options.sleep(KEY_UNAVAILABLE_WAIT_MS, this.#abort.signal)
  }

  /** An answer came; a paused or disabled stream still delivers nothing, so it counts as unreachable. */
  #succeeded (startedAt: number): void {
    this.#failures = 0
    this.#lastPollOk = this.#options.now()
    this.#failingSince = this.#paused ? this.#failingSince ?? startedAt : undefined
  }

  #failed (startedAt: number): void {
    this.#failures++
    this.#failingSince ??= startedAt
  }

  #backoffMs (): number {
    const base = BACKOFF_MS[Math.min(this.#failures - 1, BACKOFF_MS.length - 1)] ?? 0
    return base * (0.8 + 0.4 * this.#options.random())
  }
}

/** Waits on a real timer, cut short by `signal`. */
export const realSleep: Sleep = (ms, signal) => new Promise((resolve) => {
  if (signal.aborted || ms <= 0) return resolve()
  const timer = setTimeout(done, ms)
  function done () {
    clearTimeout(timer)
    signal.removeEventListener('abort', done)
    resolve()
  }
  signal.addEventListener('abort', done, { once: true })
})
