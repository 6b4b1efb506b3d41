import type { FastifyBaseLogger } from 'fastify'
import type { SetErrorCode } from '@repo/contracts/ssf'
import type { NotBeforeStore } from './not-before.js'
import { verifySet, type SetVerifierOptions } from './verify-set.js'

/** What became of each SET a poll delivered (`ssf_sets_total{outcome}`): a fixed set of labels. */
export const SET_OUTCOMES = [
  'applied', 'malformed', 'bad_signature', 'untrusted_issuer', 'wrong_audience', 'replayed', 'stale', 'verification',
  'stream_updated', 'key_unavailable'
] as const
export type SetOutcome = typeof SET_OUTCOMES[number]

/** What the next poll tells the transmitter about the SETs of the last answer. */
export interface Replies {
  ack: string[]
  setErrs: Record<string, { err: SetErrorCode, description: string }>
}

export interface HandledAnswer {
  /** Our verification SET came: with no more available, the stream has caught up. */
  verified: boolean
  /** The stream was paused or disabled (true), enabled again (false), or not said (undefined). */
  paused: boolean | undefined
  /** Some SET's key could not be had: it stays unacked and the next poll waits a little. */
  keyUnavailable: boolean
}

export interface SetHandlerOptions extends SetVerifierOptions {
  store: NotBeforeStore
  /** How long a revocation matters (longest token lifetime + tolerance): older ones are stale, jtis kept that long. */
  retainSeconds: number
  /** `SSF_MAX_ENTRIES`: the most jtis remembered (the oldest forgotten first; applying one again changes nothing). */
  maxEntries: number
  now: () => number
  log: FastifyBaseLogger
  count: (outcome: SetOutcome) => void
}

/**
 * Checks and applies the SETs of one poll answer, and collects the replies: acknowledged when
 * applied, stale, replayed or a verification; a setErr when refused for good; neither when its key
 * is unavailable. The log line names the jti and the outcome, never the SET.
 */
export class SetHandler {
  readonly #options: SetHandlerOptions
  /** The jtis applied, until they could no longer matter: insertion order is expiry order. */
  readonly #seen = new Map<string, number>()

  constructor (options: SetHandlerOptions) {
    this.#options = options
  }

  async handle (sets: Record<string, string>, state: string, replies: Replies): Promise<HandledAnswer> {
    const { store, now, log, count } = this.#options
    const result: HandledAnswer = { verified: false, paused: undefined, keyUnavailable: false }
    for (const [jti, set] of Object.entries(sets)) {
      const checked = await verifySet(jti, set, this.#options)
      const nowSeconds = Math.floor(now() / 1000)
      const outcome = ((): SetOutcome => {
        switch (checked.kind) {
          case 'refused':
            replies.setErrs[jti] = { err: checked.err, description: checked.detail.slice(0, 200) }
            log.warn({ jti: jti.slice(0, 128), outcome: checked.outcome, reason: checked.detail }, 'SET refused')
            return checked.outcome
          case 'unavailable':
            result.keyUnavailable = true
            log.warn({ jti: jti.slice(0, 128), reason: checked.detail }, 'SET not verifiable now: keys unavailable')
            return 'key_unavailable'
          case 'verification':
            if (checked.state !== state) {
              replies.setErrs[jti] = { err: 'invalid_state', description: 'not the state this receiver asked for' }
              log.warn({ jti }, 'SET refused: a verification with another state')
              return 'malformed'
            }
            result.verified = true
            replies.ack.push(jti)
            return 'verification'
          case 'stream-updated':
            result.paused = checked.status !== 'enabled'
            replies.ack.push(jti)
            log.warn({ jti, status: checked.status }, 'the transmitter changed the stream\'s status')
            return 'stream_updated'
          case 'revocation':
            replies.ack.push(jti)
            return this.#apply(checked, nowSeconds)
        }
      })()
      count(outcome)
      if (outcome === 'applied' || outcome === 'replayed' || outcome === 'stale') {
        log.info({ jti, outcome }, 'SET received')
      }
    }
    this.#sweep(Math.floor(now() / 1000))
    store.sweep(Math.floor(now() / 1000))
    return result
  }

  #apply ({ jti, key, time }: { jti: string, key: string | undefined, time: number }, nowSeconds: number): SetOutcome {
    const { store, retainSeconds } = this.#options
    if (this.#seen.has(jti)) return 'replayed'
    if (time < nowSeconds - retainSeconds) return 'stale'
    this.#seen.set(jti, nowSeconds + retainSeconds)
    if (this.#seen.size > this.#options.maxEntries) this.#seen.delete(this.#seen.keys().next().value as string)
    if (key !== undefined && store.revoke(key, time, nowSeconds)) {
      this.#options.log.warn({ entries: store.size, floor: store.floor }, 'not-before store full: the oldest entry ' +
        'became an issuer-wide floor (tokens issued before it are refused)')
    }
    return 'applied'
  }

  #sweep (nowSeconds: number): void {
    for (const [jti, expiresAt] of this.#seen) {
      if (expiresAt > nowSeconds) break
      this.#seen.delete(jti)
    }
  }
}
