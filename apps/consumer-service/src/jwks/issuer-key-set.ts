import type { FastifyBaseLogger } from 'fastify'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { FetchedJwks } from './jwks-source.js'
import { toVerificationKey, type VerificationKey } from './verification-key.js'

export interface IssuerKeySetOptions {
  fetchJwks: () => Promise<FetchedJwks>
  allowedAlgs: readonly SigningAlgorithm[]
  /** Longest time a fetched set is trusted; the issuer's `max-age` can only shorten it. */
  maxTtlMs: number
  /** Least time between two fetches, whatever triggers them: the cap on JWKS traffic. */
  cooldownMs: number
  /**
   * Until the first fetch succeeds, the interval between attempts instead of the cooldown: at
   * start-up the issuer is often still starting (`pnpm start` starts both services at once).
   */
  startupRetryMs: number
  /** How long known keys keep working after the last successful fetch while the JWKS is unreachable. */
  maxStaleMs: number
  now: () => number
  log: FastifyBaseLogger
}

/** The outcome of a key lookup that did not find a usable key. */
export type KeyMiss =
  | { reason: 'unknown-kid' | 'alg-mismatch' }
  | { reason: 'unavailable', retryAfterSeconds: number }

/**
 * The whole JWKS of one issuer, cached. A lookup never causes more than one fetch per cooldown
 * window, however many different `kid`s arrive: concurrent lookups share one fetch, and a `kid`
 * still unknown after a fetch is answered from the set until the window has passed.
 */
export class IssuerKeySet {
  readonly #options: IssuerKeySetOptions
  #keys = new Map<string, VerificationKey>()
  #fetchedAt = Number.NEGATIVE_INFINITY
  #expiresAt = Number.NEGATIVE_INFINITY
  #attemptedAt = Number.NEGATIVE_INFINITY
  #lastAttemptFailed = false
  /** When the current run of failed fetches began, for the log line that ends it. */
  #failingSince: number | undefined
  #inflight: Promise<void> | undefined

  constructor (options: IssuerKeySetOptions) {
    this.#options = options
  }

  /** True once one fetch has succeeded. */
  get loaded (): boolean {
    return this.#fetchedAt > Number.NEGATIVE_INFINITY
  }

  /** Before the first success, fetches are retried sooner than the cooldown; see `startupRetryMs`. */
  get #retryIntervalMs (): number {
    return this.loaded ? this.#options.cooldownMs : Math.min(this.#options.startupRetryMs, this.#options.cooldownMs)
  }

  async resolve (kid: string, alg: string): Promise<VerificationKey | KeyMiss> {
    const { now, maxStaleMs } = this.#options
    if (now() >= this.#expiresAt || !this.#keys.has(kid)) {
      if (this.#inflight) await this.#inflight
      else if (now() - this.#attemptedAt >= this.#retryIntervalMs) await this.refresh()
    }
    const at = now()
    const key = this.#keys.get(kid)
    if (key && (at < this.#expiresAt || at < this.#fetchedAt + maxStaleMs)) {
      return key.alg === alg ? key : { reason: 'alg-mismatch' }
    }
    // A known key past its stale bound, or an unknown one, while the issuer is unreachable.
    if (this.#lastAttemptFailed) {
      // The same moment the next fetch may run: a client that waits that long gets a fresh answer.
      const retryAfterMs = Math.max(this.#attemptedAt + this.#retryIntervalMs - at, 1000)
      return { reason: 'unavailable', retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }
    }
    return { reason: 'unknown-kid' }
  }

  /** Fetches the set now, or joins the fetch already under way. Never throws. */
  refresh (): Promise<void> {
    this.#inflight ??= this.#fetch().finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  async #fetch (): Promise<void> {
    const { fetchJwks, now, log } = this.#options
    this.#attemptedAt = now()
    log.debug('JWKS fetch started')
    try {
      const fetched = await fetchJwks()
      this.#replaceKeys(fetched)
      this.#lastAttemptFailed = false
      if (this.#failingSince !== undefined) {
        log.info({ unreachableForMs: now() - this.#failingSince }, 'JWKS reachable again')
        this.#failingSince = undefined
      }
    } catch (error) {
      this.#lastAttemptFailed = true
      this.#logFailure(error instanceof Error ? error.message : String(error))
    }
  }

  /**
   * One line per outage, not one per attempt: the first failure says why and what happens now,
   * the repeats are debug. Before any key is known the first one is info, since at start-up the
   * issuer is often still coming up.
   */
  #logFailure (reason: string): void {
    const { log, now } = this.#options
    const knownKeys = this.#keys.size
    const first = this.#failingSince === undefined
    this.#failingSince ??= now()
    if (!first) {
      log.debug({ reason, knownKeys }, 'JWKS fetch failed again')
    } else if (!this.loaded) {
      log.info({ reason, retryInMs: this.#retryIntervalMs },
        'JWKS fetch failed; no keys known yet, retrying (expected while the issuer starts)')
    } else {
      log.warn({ reason, knownKeys, retryInMs: this.#retryIntervalMs }, 'JWKS fetch failed; keeping the keys already known')
    }
  }

  #replaceKeys ({ keys, maxAgeSeconds }: FetchedJwks): void {
    const { allowedAlgs, maxTtlMs, cooldownMs, now, log } = this.#options
    const next = new Map<string, VerificationKey>()
    const duplicates = new Set<string>()
    for (const candidate of keys) {
      const conversion = toVerificationKey(candidate, allowedAlgs)
      if ('skipped' in conversion) {
        log.warn({ kid: kidOf(candidate), reason: conversion.skipped }, 'JWKS key ignored')
        continue
      }
      const { kid } = conversion.key
      if (next.has(kid)) duplicates.add(kid)
      next.set(kid, conversion.key)
    }
    // Two different keys under one kid: neither can be trusted to be the one the token means.
    for (const kid of duplicates) {
      next.delete(kid)
      log.warn({ kid }, 'JWKS lists this kid more than once; ignoring it')
    }
    const ttlMs = Math.min(Math.max((maxAgeSeconds ?? Number.POSITIVE_INFINITY) * 1000, cooldownMs), maxTtlMs)
    const fetchedAt = now()
    this.#keys = next
    this.#fetchedAt = fetchedAt
    this.#expiresAt = fetchedAt + ttlMs
    log.info({ kids: [...next.keys()], ttlMs }, 'JWKS fetched')
  }
}

function kidOf (candidate: unknown): string | undefined {
  const kid = (candidate as { kid?: unknown } | null)?.kid
  return typeof kid === 'string' ? kid.slice(0, 64) : undefined
}
