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

type Kind = 'u' | 's' | 'c' | 'uc' | 'sc'

/** A key's kind and its id within that kind: the id alone for one member, `<id>NUL<client_id>` for two. */
function split (key: string): { kind: Kind, id: string } {
  const first = key[0] === 'u' ? 'u' : key[0] === 's' ? 's' : 'c'
  const rest = key.slice(2)
  const joint = first === 'c' ? -1 : rest.indexOf('\u0000c\u0000')
  if (joint < 0) return { kind: first, id: rest }
  return { kind: first === 'u' ? 'uc' : 'sc', id: `${rest.slice(0, joint)}\u0000${rest.slice(joint + 3)}` }
}

/**
 * One issuer's "not before" times, in seconds: a token whose `iat` is at or before the time of a key
 * it matches was issued before the revocation and is refused. An entry is dropped once no token it
 * could refuse can still be valid; the insertion-order queue finds those without scanning the map
 * (an entry raised later is queued again; its old place is skipped when reached).
 */
export class NotBeforeStore {
  /** Every entry by its whole key, in insertion order: what the bound, the sweep and eviction go by. */
  readonly #times = new Map<string, number>()
  /**
   * The same entries by kind and id, for the request path: a lookup by a token's own `sid` or `sub`
   * string builds nothing (its hash is kept on the string), and an empty kind is not looked at.
   */
  readonly #byKind: Record<Kind, Map<string, number>> = {
    u: new Map(), s: new Map(), c: new Map(), uc: new Map(), sc: new Map()
  }

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
    this.#set(key, time)
    this.#queue.push({ key, expiresAt: time + this.#retainSeconds })
    this.sweep(nowSeconds)
    if (this.#times.size <= this.#maxEntries) return false
    // The first key of the map is the one inserted longest ago.
    const [oldest, oldestTime] = this.#times.entries().next().value as [string, number]
    this.#delete(oldest)
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
    const { u, s, c, uc, sc } = this.#byKind
    if (sub !== undefined) {
      if (before(u, sub, iat)) return true
      if (clientId !== undefined && uc.size > 0 && before(uc, `${sub}\u0000${clientId}`, iat)) return true
    }
    if (sid !== undefined) {
      if (before(s, sid, iat)) return true
      if (clientId !== undefined && sc.size > 0 && before(sc, `${sid}\u0000${clientId}`, iat)) return true
    }
    return clientId !== undefined && before(c, clientId, iat)
  }

  #set (key: string, time: number): void {
    this.#times.set(key, time)
    const { kind, id } = split(key)
    this.#byKind[kind].set(id, time)
  }

  #delete (key: string): void {
    this.#times.delete(key)
    const { kind, id } = split(key)
    this.#byKind[kind].delete(id)
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
      if (time !== undefined && time + this.#retainSeconds <= nowSeconds) this.#delete(next.key)
    }
    // Compacted once the swept part is half of it: amortized O(1) per entry, no shift() per sweep.
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head)
      this.#head = 0
    }
  }
}

/** Whether `map` holds a time for `id` that `iat` is not after; an empty map answers at once. */
function before (map: Map<string, number>, id: string, iat: number): boolean {
  if (map.size === 0) return false
  const time = map.get(id)
  return time !== undefined && iat <= time
}
