/**
 * What a token must be checked against to know whether its issuer revoked it: the claims that can
 * name a revoked principal. `sid` is only in tokens from a browser session.
 */
export interface RevocableClaims {
  iat: number
  sub?: string | undefined
  client_id?: string | undefined
  sid?: string | undefined
}

/*
 * A key names what was revoked: a user (`u`), a session (`s`), a client (`c`), or a conjunction of
 * them joined by NUL (which no issuer puts in an identifier and no JSON string parsing could mix
 * up with the prefixes).
 */
export const userKey = (sub: string) => `u\u0000${sub}`
export const sessionKey = (sid: string) => `s\u0000${sid}`
export const clientKey = (clientId: string) => `c\u0000${clientId}`
export const bothKey = (first: string, clientId: string) => `${first}\u0000${clientKey(clientId)}`

export interface NotBeforeOptions {
  /** How long after its value an entry can still refuse a token: the longest token lifetime plus the tolerance. */
  retainSeconds: number
  /** `SSF_MAX_ENTRIES`: past it the oldest entry goes, its time raising the issuer-wide floor. */
  maxEntries: number
}

interface Expiry { key: string, expiresAt: number }

/**
 * One issuer's "not before" times, in seconds: a token whose `iat` is at or before the time of a key
 * it matches was issued before the revocation and is refused. An entry is dropped once no token it
 * could refuse can still be valid; the insertion-order queue finds those without scanning the map
 * (an entry raised later is queued again; its old place is skipped when reached).
 */
export class NotBeforeStore {
  readonly #times = new Map<string, number>()
  readonly #queue: Expiry[] = []
  #head = 0
  readonly #retainSeconds: number
  readonly #maxEntries: number
  /**
   * Every token of the issuer issued at or before it is refused: where evicted entries went. Eviction
   * can only refuse more than was revoked, never accept what was.
   */
  #floor = Number.NEGATIVE_INFINITY

  constructor ({ retainSeconds, maxEntries }: NotBeforeOptions) {
    this.#retainSeconds = retainSeconds
    this.#maxEntries = maxEntries
  }

  /** The issuer-wide floor (seconds), while an eviction has set one that still matters. */
  get floor (): number | undefined {
    return Number.isFinite(this.#floor) ? this.#floor : undefined
  }

  get size (): number {
    return this.#times.size
  }

  /**
   * Tokens matching `key` issued at or before `time` (seconds) are revoked. Never lowers a time.
   * Returns whether an entry was evicted for room (the floor rose: the caller warns).
   */
  revoke (key: string, time: number, nowSeconds: number): boolean {
    const existing = this.#times.get(key)
    if (existing !== undefined && existing >= time) return false
    this.#times.set(key, time)
    this.#queue.push({ key, expiresAt: time + this.#retainSeconds })
    this.sweep(nowSeconds)
    if (this.#times.size <= this.#maxEntries) return false
    // The first key of the map is the one inserted longest ago.
    const [oldest, oldestTime] = this.#times.entries().next().value as [string, number]
    this.#times.delete(oldest)
    this.#floor = Math.max(this.#floor, oldestTime)
    // The queue keeps the evicted keys' places until they expire: rebuilt from the map when they dominate.
    if (this.#queue.length - this.#head > 2 * this.#maxEntries) {
      this.#queue.splice(0, this.#queue.length, ...[...this.#times].map(([key, value]) =>
        ({ key, expiresAt: value + this.#retainSeconds })))
      this.#head = 0
    }
    return true
  }

  /** Whether a time of this store refuses the token. The hot path: nothing is built while the store is empty. */
  isRevoked (claims: RevocableClaims): boolean {
    if (this.#times.size === 0) return claims.iat <= this.#floor
    const { iat, sub, client_id: clientId, sid } = claims
    if (iat <= this.#floor) return true
    if (sub !== undefined) {
      if (this.#before(userKey(sub), iat)) return true
      if (clientId !== undefined && this.#before(bothKey(userKey(sub), clientId), iat)) return true
    }
    if (sid !== undefined) {
      if (this.#before(sessionKey(sid), iat)) return true
      if (clientId !== undefined && this.#before(bothKey(sessionKey(sid), clientId), iat)) return true
    }
    return clientId !== undefined && this.#before(clientKey(clientId), iat)
  }

  #before (key: string, iat: number): boolean {
    const time = this.#times.get(key)
    return time !== undefined && iat <= time
  }

  /** Drops the entries that can no longer refuse a valid token. */
  sweep (nowSeconds: number): void {
    if (this.#floor + this.#retainSeconds <= nowSeconds) this.#floor = Number.NEGATIVE_INFINITY
    const queue = this.#queue
    while (this.#head < queue.length) {
      const next = queue[this.#head] as Expiry
      if (next.expiresAt > nowSeconds) break
      this.#head++
      const time = this.#times.get(next.key)
      if (time !== undefined && time + this.#retainSeconds <= nowSeconds) this.#times.delete(next.key)
    }
    // Compacted once the swept part is half of it: amortized O(1) per entry, no shift() per sweep.
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head)
      this.#head = 0
    }
  }
}
