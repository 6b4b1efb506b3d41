import type { FastifyBaseLogger } from 'fastify'
import buildGetJwks, { type GetJwks } from 'get-jwks'
import type { Dispatcher } from 'undici'
import type { VerificationAlgorithm } from '@repo/contracts/access-token'
import { discoverJwksUri } from './discover-jwks-uri.js'
import { describe } from './fetch-metadata.js'
import { createJwkChecker, type KeyCheck, type VerificationKey } from './verification-key.js'

export interface IssuerKeysOptions {
  issuer: string
  /** Explicit JWKS URL; without it, discovered from the issuer's metadata. */
  jwksUrl: string | undefined
  allowedAlgs: readonly VerificationAlgorithm[]
  /** How long a fetched key is used before the set is fetched again (get-jwks' `ttl`). */
  cacheTtlMs: number
  /** Least time between two fetches, whatever asks for them: the cap on JWKS traffic. */
  cooldownMs: number
  /** Until the first fetch succeeds, the interval between attempts instead of the cooldown. */
  startupRetryMs: number
  /** How long an expired key keeps working while the issuer is unreachable (get-jwks' `staleTtl`). */
  maxStaleMs: number
  fetchTimeoutMs: number
  dispatcher: Dispatcher
  allowInsecure: boolean
  now: () => number
  log: FastifyBaseLogger
}

/** What a lookup found: a key to verify with, or why there is none (for the log, and 401 vs 503). */
export type KeyLookup =
  | { key: VerificationKey }
  | { miss: 'unknown-kid' | 'unusable', detail: string }
  | { miss: 'unavailable', detail: string, retryAfterSeconds: number }

/**
 * get-jwks fetches an issuer's set when asked for a key it has not cached. Asking for a kid no set
 * contains makes every fetch a whole-set refresh whose errors reach us (get-jwks would answer a
 * cached kid from its stale copy instead); the patched get-jwks caches every key of the set it got.
 */
const REFRESH_KID = '(refresh: no set holds this kid)'

type Freshness = 'fresh' | 'stale'

/**
 * One trusted issuer's keys, all fetched and cached by get-jwks, behind a gate that decides when
 * get-jwks may go to the network: at most once per cooldown window whatever tokens arrive (sooner
 * only before the first success), one fetch at a time, and every fetch teaching the whole set.
 */
export class IssuerKeys {
  readonly issuer: string
  readonly #options: IssuerKeysOptions
  readonly #check: ReturnType<typeof createJwkChecker>
  #source: { getJwks: GetJwks, domain: string, url: string } | undefined
  #rediscover = false
  #lastAttempt = Number.NEGATIVE_INFINITY
  #lastAttemptFailed = false
  #failingSince: number | undefined
  #usableKeys = 0
  #fetched = false
  #lastSuccess = Number.NEGATIVE_INFINITY
  #published: string | undefined
  #inflight: Promise<void> | undefined
  readonly #fetchCounts = { ok: 0, error: 0 }
  /** get-jwks caches a promise per key: what each one settled to (null: it failed), once awaited. */
  readonly #settled = new WeakMap<object, object | null>()
  /** get-jwks' cache key of each kid it held after the last fetch, so a lookup need not build it again. */
  #cacheKeys = new Map<string, string>()

  constructor (options: IssuerKeysOptions) {
    this.issuer = options.issuer
    this.#options = options
    this.#check = createJwkChecker(options.allowedAlgs)
  }

  /** True once a fetch has shown at least one usable key (and until a later one shows none). */
  get ready (): boolean {
    return this.#usableKeys > 0
  }

  /** Usable keys as of the last successful fetch (for the metrics). */
  get usableKeys (): number {
    return this.#usableKeys
  }

  /** When a fetch last succeeded (milliseconds since the epoch), if one ever did. */
  get lastSuccessAt (): number | undefined {
    return this.#fetched ? this.#lastSuccess : undefined
  }

  /** How many fetches succeeded and failed since start-up. */
  get fetchCounts (): { readonly ok: number, readonly error: number } {
    return { ...this.#fetchCounts }
  }

  /**
   * The key `lookup` would find for `kid` and `alg` right now without waiting or fetching: a fresh
   * cache entry that has settled. Undefined for anything else (unknown, unusable, pending, only in
   * the stale cache): then `lookup` decides.
   */
  current (kid: string | undefined, alg: string): VerificationKey | undefined {
    if (kid === undefined) {
      const entries = this.#settledEntries('fresh')
      const found = entries && this.#pick(entries, kid, alg)
      return found && 'key' in found ? found.key : undefined
    }
    // What `#pick` does for one kid, without building the lists it takes: this runs on every request.
    const source = this.#source
    const pending = source && kid !== REFRESH_KID ? source.getJwks.cache.get(this.#cacheKey(source, kid)) as object | undefined : undefined
    const jwk = pending && this.#settled.get(pending)
    const check = jwk ? this.#check(jwk) : undefined
    return check && 'key' in check && check.key.alg === alg ? check.key : undefined
  }

  /** The key for a token's `kid` and `alg`, fetching the set first if the gate allows it. */
  async lookup (kid: string | undefined, alg: string): Promise<KeyLookup> {
    let found = await this.#find(kid, alg, 'fresh')
    if ('miss' in found) {
      await this.refresh()
      found = await this.#find(kid, alg, 'fresh')
      // Expired keys stand in only while the issuer can't be reached, never for a key it stopped
      // listing, and for at most JWKS_CACHE_TTL + JWKS_MAX_STALE after the last successful fetch.
      if ('miss' in found && this.#lastAttemptFailed) {
        const { now, cacheTtlMs, maxStaleMs } = this.#options
        const stale = now() - this.#lastSuccess <= cacheTtlMs + maxStaleMs
          ? await this.#find(kid, alg, 'stale')
          : { miss: 'unknown-kid' as const, detail: 'the keys known are too old to use' }
        if (!('miss' in stale) || stale.miss === 'unusable') return stale
        return { miss: 'unavailable', detail: `${found.detail}, and ${this.issuer} is unreachable`, retryAfterSeconds: this.#retryAfterSeconds() }
      }
    }
    return found
  }

  /** Fetches the set now if the gate allows, or joins the fetch under way. Never throws. */
  refresh (): Promise<void> {
    if (this.#inflight) return this.#inflight
    if (this.#options.now() - this.#lastAttempt < this.#retryIntervalMs()) return Promise.resolve()
    this.#inflight = this.#fetch().finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  #retryIntervalMs (): number {
    const { cooldownMs, startupRetryMs } = this.#options
    return this.#fetched ? cooldownMs : Math.min(startupRetryMs, cooldownMs)
  }

  /** When the next fetch may run: a client that waits that long gets a fresh answer. */
  #retryAfterSeconds (): number {
    const waitMs = this.#lastAttempt + this.#retryIntervalMs() - this.#options.now()
    return Math.max(1, Math.ceil(waitMs / 1000))
  }

  async #fetch (): Promise<void> {
    const { now, log } = this.#options
    this.#lastAttempt = now()
    log.debug({ issuer: this.issuer }, 'JWKS fetch started')
    try {
      const source = this.#source && !this.#rediscover ? this.#source : await this.#connect()
      try {
        await source.getJwks.getJwk({ domain: source.domain, alg: undefined as unknown as string, kid: REFRESH_KID })
      } catch (error) {
        // The set arrived and (of course) lacks REFRESH_KID: that is the success case. An answer with
        // no `keys` array (NO_JWKS) is a broken endpoint, not an issuer that removed every key.
        if ((error as { code?: string }).code !== 'JWK_NOT_FOUND') throw error
      }
      await this.#afterFetch(source)
      this.#fetched = true
      this.#lastSuccess = now()
      this.#lastAttemptFailed = false
      this.#fetchCounts.ok++
      if (this.#failingSince !== undefined) {
        log.info({ issuer: this.issuer, unreachableForMs: now() - this.#failingSince }, 'JWKS reachable again')
        this.#failingSince = undefined
      }
    } catch (error) {
      this.#lastAttemptFailed = true
      this.#fetchCounts.error++
      // The JWKS may have moved: discover it again next time (keeping the keys known meanwhile).
      this.#rediscover = this.#options.jwksUrl === undefined
      this.#logFailure(describe(error))
    }
  }

  /** A get-jwks for the issuer's JWKS URL (discovered if not configured); the same one while the URL stays. */
  async #connect () {
    const { issuer, jwksUrl, dispatcher, fetchTimeoutMs, allowInsecure, cacheTtlMs, maxStaleMs } = this.#options
    const url = new URL(jwksUrl ?? await discoverJwksUri(issuer, { dispatcher, timeoutMs: fetchTimeoutMs, allowInsecure }))
    this.#rediscover = false
    if (this.#source?.url === url.href) return this.#source
    const domain = `${url.origin}/`
    this.#source = {
      url: url.href,
      domain,
      getJwks: buildGetJwks({
        max: 100,
        ttl: cacheTtlMs,
        staleTtl: maxStaleMs,
        timeout: fetchTimeoutMs,
        // This instance serves one issuer, and fetches from its JWKS URL only.
        issuersWhitelist: [domain],
        jwksPath: `${url.pathname}${url.search}`,
        fetchOptions: {
          dispatcher,
          redirect: 'error',
          headers: { accept: 'application/jwk-set+json, application/json' }
        } as never
      })
    }
    return this.#source
  }

  /** After a fetch: forget stale copies of keys the issuer no longer lists, count what is usable, say what changed. */
  async #afterFetch ({ getJwks }: { getJwks: GetJwks }): Promise<void> {
    const { log } = this.#options
    const fresh = await this.#entries('fresh')
    const listed = new Set(fresh.map(([kid]) => kid))
    this.#cacheKeys = new Map(cacheKeys(getJwks.cache).map((cacheKey) => [kidOf(cacheKey), cacheKey]))
    for (const cacheKey of cacheKeys(getJwks.staleCache)) {
      if (!listed.has(kidOf(cacheKey))) getJwks.staleCache.delete(cacheKey)
    }
    const usable = fresh.filter(([, jwk]) => 'key' in this.#check(jwk))
    this.#usableKeys = usable.length
    const published = [...listed].sort().join(' ')
    if (published === this.#published) return
    this.#published = published
    for (const [kid, jwk] of fresh) {
      const check = this.#check(jwk)
      if ('ignored' in check) log.warn({ issuer: this.issuer, kid: kid.slice(0, 64), reason: check.ignored }, 'JWKS key ignored')
    }
    log.info({ issuer: this.issuer, kids: usable.map(([kid]) => kid) }, 'JWKS fetched')
  }

  /** The usable key for `kid` (or, with no kid, the one usable key for `alg`) among the cached ones. */
  async #find (kid: string | undefined, alg: string, freshness: Freshness): Promise<KeyLookup> {
    return this.#pick(this.#settledEntries(freshness, kid) ?? await this.#entries(freshness, kid), kid, alg)
  }

  #pick (candidates: Array<[string, object]>, kid: string | undefined, alg: string): KeyLookup {
    if (candidates.length === 0) return { miss: 'unknown-kid', detail: kid === undefined ? 'no kid, and no key is known' : 'no key with this kid is known' }
    const checks = candidates.map(([candidateKid, jwk]) => ({ kid: candidateKid, check: this.#check(jwk) }))
    if (kid === undefined) {
      const fitting = checks.filter(({ check }) => 'key' in check && check.key.alg === alg)
      if (fitting.length !== 1) return { miss: 'unusable', detail: `no kid, and ${fitting.length} usable keys for ${alg}: a token without kid needs exactly one` }
      return fitting[0]?.check as { key: VerificationKey }
    }
    const [{ check }] = checks as [{ kid: string, check: KeyCheck }]
    if ('ignored' in check) return { miss: 'unusable', detail: `the key is ignored because ${check.ignored}` }
    if (check.key.alg !== alg) return { miss: 'unusable', detail: `the token's alg ${alg} is not the key's ${check.key.alg}` }
    return check
  }

  /** Cached keys as `[kid, jwk]`, all of them or the one for `kid`; a pending or failed entry counts as none. */
  async #entries (freshness: Freshness, kid?: string): Promise<Array<[string, object]>> {
    const entries: Array<[string, object]> = []
    for (const [kidInKey, pending] of this.#cached(freshness, kid)) {
      const jwk = await Promise.resolve(pending).catch(() => undefined)
      const settled = typeof jwk === 'object' && jwk !== null ? jwk : null
      this.#settled.set(pending, settled)
      if (settled) entries.push([kidInKey, settled])
    }
    return entries
  }

  /** `#entries` without waiting: undefined if an entry is still pending (or was never awaited here). */
  #settledEntries (freshness: Freshness, kid?: string): Array<[string, object]> | undefined {
    const entries: Array<[string, object]> = []
    for (const [kidInKey, pending] of this.#cached(freshness, kid)) {
      const settled = this.#settled.get(pending)
      if (settled === undefined) return undefined
      if (settled) entries.push([kidInKey, settled])
    }
    return entries
  }

  /** get-jwks' cached promises as `[kid, promise]`, all of them or the one for `kid`. */
  #cached (freshness: Freshness, kid?: string): Array<[string, object]> {
    const source = this.#source
    if (!source) return []
    const cache = freshness === 'fresh' ? source.getJwks.cache : source.getJwks.staleCache
    const wanted = kid === undefined
      ? cacheKeys(cache)
      : [this.#cacheKey(source, kid)]
    const cached: Array<[string, object]> = []
    for (const cacheKey of wanted) {
      const kidInKey = kid ?? kidOf(cacheKey)
      if (kidInKey === REFRESH_KID) continue
      // `get` also retires an expired entry (into the stale cache, since our patch).
      const pending = cache.get(cacheKey) as object | undefined
      if (pending) cached.push([kidInKey, pending])
    }
    return cached
  }

  #cacheKey (source: { getJwks: GetJwks, domain: string }, kid: string): string {
    return this.#cacheKeys.get(kid) ?? source.getJwks.generateCacheKey(undefined as unknown as string, kid, source.domain)
  }

  /** One line per outage, not per attempt; before any key is known it is expected, so `info`. */
  #logFailure (reason: string): void {
    const { log, now } = this.#options
    const first = this.#failingSince === undefined
    this.#failingSince ??= now()
    const context = { issuer: this.issuer, reason, retryInMs: this.#retryIntervalMs() }
    if (!first) log.debug(context, 'JWKS fetch failed again')
    else if (!this.#fetched) log.info(context, 'JWKS fetch failed; no keys known yet, retrying (expected while the issuer starts)')
    else log.warn(context, 'JWKS fetch failed; keeping the keys already known')
  }
}

/** get-jwks' caches are lru-cache instances; its type declaration leaves out `keys()`. */
function cacheKeys (cache: GetJwks['cache']): string[] {
  return [...(cache as unknown as { keys: () => Iterable<string> }).keys()]
}

/** get-jwks' cache keys are `alg:kid:domain`, each part URI-encoded. */
function kidOf (cacheKey: string): string {
  return decodeURIComponent(cacheKey.split(':')[1] ?? '')
}
