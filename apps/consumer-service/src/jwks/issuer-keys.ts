import type { FastifyBaseLogger } from 'fastify'
import type { VerificationAlgorithm } from '@repo/contracts/access-token'
import { describe } from './fetch-metadata.js'
import { FetchLog } from './fetch-log.js'
import { KeySource, type KeySourceOptions } from './key-source.js'
import { pickByKid, pickWithoutKid, type KeyLookup } from './pick-key.js'
import { createJwkChecker, type VerificationKey } from './verification-key.js'

export type { KeyLookup } from './pick-key.js'

export interface IssuerKeysOptions extends KeySourceOptions {
  allowedAlgs: readonly VerificationAlgorithm[]
  /** Least time between two fetches, whatever asks for them: the cap on JWKS traffic. */
  cooldownMs: number
  /** Until the first fetch succeeds, the interval between attempts instead of the cooldown. */
  startupRetryMs: number
  now: () => number
  log: FastifyBaseLogger
}

/**
 * One trusted issuer's keys, all fetched and cached by get-jwks, behind a gate that decides when
 * get-jwks may go to the network: at most once per cooldown window whatever tokens arrive (sooner
 * only before the first success), one fetch at a time, and every fetch replacing the whole set.
 */
export class IssuerKeys {
  readonly issuer: string
  readonly #options: IssuerKeysOptions
  readonly #check: ReturnType<typeof createJwkChecker>
  readonly #source: KeySource
  readonly #log: FetchLog
  #lastAttempt = Number.NEGATIVE_INFINITY
  #lastAttemptFailed = false
  #lastSuccess: number | undefined
  #usableKeys = 0
  #inflight: Promise<void> | undefined
  readonly #fetchCounts = { ok: 0, error: 0 }

  constructor (options: IssuerKeysOptions) {
    this.issuer = options.issuer
    this.#options = options
    this.#check = createJwkChecker(options.allowedAlgs)
    this.#source = new KeySource(options)
    this.#log = new FetchLog(options.issuer, options.log)
  }

  /** True once a fetch has shown at least one usable key (and until a later one shows none). */
  get ready (): boolean {
    return this.#usableKeys > 0
  }

  /** Usable keys at the last successful fetch (for the metrics). */
  get usableKeys (): number {
    return this.#usableKeys
  }

  /** When a fetch last succeeded (milliseconds since the epoch), if one ever did. */
  get lastSuccessAt (): number | undefined {
    return this.#lastSuccess
  }

  /** How many fetches succeeded and failed since start-up. */
  get fetchCounts (): { readonly ok: number, readonly error: number } {
    return { ...this.#fetchCounts }
  }

  /**
   * The key `lookup` would find for `kid` and `alg` right now without waiting or fetching: a fresh
   * cached key. Undefined for anything else (unknown, unusable, only a stale copy): then `lookup` decides.
   */
  current (kid: string | undefined, alg: string): VerificationKey | undefined {
    const found = this.#find(kid, alg, false)
    return 'key' in found ? found.key : undefined
  }

  /** The key for a token's `kid` and `alg`, fetching the set first if the gate allows it. */
  async lookup (kid: string | undefined, alg: string): Promise<KeyLookup> {
    const cached = this.#find(kid, alg, false)
    if (!('miss' in cached)) return cached
    await this.refresh()
    const found = this.#find(kid, alg, false)
    if (!('miss' in found) || !this.#lastAttemptFailed) return found
    // Expired keys stand in only while the issuer can't be reached, never for a key it stopped
    // listing, and for at most JWKS_CACHE_TTL + JWKS_MAX_STALE after the last successful fetch.
    const { now, cacheTtlMs, maxStaleMs } = this.#options
    const recent = this.#lastSuccess !== undefined && now() - this.#lastSuccess <= cacheTtlMs + maxStaleMs
    const stale = recent ? this.#find(kid, alg, true) : undefined
    if (stale && (!('miss' in stale) || stale.miss === 'unusable')) return stale
    const detail = `${found.detail}, and ${this.issuer} is unreachable`
    return { miss: 'unavailable', detail, retryAfterSeconds: this.#retryAfterSeconds() }
  }

  /** Fetches the set now if the gate allows, or joins the fetch under way. Never throws. */
  refresh (): Promise<void> {
    if (this.#inflight) return this.#inflight
    if (this.#options.now() - this.#lastAttempt < this.#retryIntervalMs()) return Promise.resolve()
    this.#inflight = this.#fetch().finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  #find (kid: string | undefined, alg: string, stale: boolean): KeyLookup {
    return kid === undefined
      ? pickWithoutKid(this.#source.keys(stale), alg, this.#check)
      : pickByKid(this.#source.key(kid, stale), alg, this.#check)
  }

  #retryIntervalMs (): number {
    const { cooldownMs, startupRetryMs } = this.#options
    return this.#lastSuccess !== undefined ? cooldownMs : Math.min(startupRetryMs, cooldownMs)
  }

  /** When the next fetch may run: a client that waits that long gets a fresh answer. */
  #retryAfterSeconds (): number {
    const waitMs = this.#lastAttempt + this.#retryIntervalMs() - this.#options.now()
    return Math.max(1, Math.ceil(waitMs / 1000))
  }

  async #fetch (): Promise<void> {
    const { now } = this.#options
    this.#lastAttempt = now()
    this.#log.started()
    try {
      await this.#source.refresh()
    } catch (error) {
      this.#lastAttemptFailed = true
      this.#fetchCounts.error++
      const context = { now: now(), everFetched: this.#lastSuccess !== undefined, retryInMs: this.#retryIntervalMs() }
      this.#log.failed(describe(error), context)
      return
    }
    const fresh = this.#source.keys()
    this.#usableKeys = fresh.filter((jwk) => 'key' in this.#check(jwk)).length
    this.#lastSuccess = now()
    this.#lastAttemptFailed = false
    this.#fetchCounts.ok++
    this.#log.fetched(fresh, this.#check, now())
  }
}
