/**
 * The last characters of a token's signature: an index into the cache, never the test of a match.
 * Fewer than 13, so the engine copies them instead of keeping a slice of the whole token alive.
 */
const FINGERPRINT_LENGTH = 12
const fingerprint = (token: string) => token.slice(-FINGERPRINT_LENGTH)

/** The first key of a map or set that is not empty: the one inserted longest ago. */
const oldest = (keys: Iterator<string>) => keys.next().value ?? ''

interface Entry<T> { token: string, value: T, notBefore: number, expiresAt: number, stored: number }

/**
 * Tokens already verified, each until its own deadline, at most `maxEntries` of them (the oldest
 * goes first; a token used again once half the cache has been stored after it counts as new).
 *
 * An entry answers only for the very token it was stored for: the whole token is kept and compared
 * as a string, byte for byte. The map is indexed by the signature's last 12 characters (72 bits,
 * random for any token an issuer signed), so a lookup hashes those instead of the whole token; two
 * tokens sharing them only share a slot, one displacing the other.
 *
 * A token is stored the second time it is verified, not the first: most tokens of a fleet of
 * clients come back, but one seen once may never, and storing it would cost a copy of it and its
 * claims that outlives the request for nothing. The fingerprints of the last `maxEntries` tokens
 * verified once are what is kept instead. A bearer token is at most `MAX_TOKEN_LENGTH` (8 KiB), so
 * the entries hold at most 8 MiB of token text (about 0.8 MiB for this project's tokens).
 */
export class VerifiedTokens<T> {
  readonly #entries = new Map<string, Entry<T>>()
  /** Fingerprints verified once, each with its slot in `#seenOrder`. */
  readonly #seenOnce = new Map<string, number>()
  /**
   * The same fingerprints in the order they came, a ring: the oldest is found by its slot. Taking the
   * first of the map instead (its iterator) walks past every entry deleted before it, and with a new
   * token per request those pile up at the front until the map is rehashed.
   */
  readonly #seenOrder: string[] = []
  #seenNext = 0
  readonly #maxEntries: number
  /** How many entries were ever stored: an entry's `stored` is its number in that count. */
  #stored = 0

  constructor (maxEntries: number) {
    this.#maxEntries = maxEntries
  }

  get size (): number {
    return this.#entries.size
  }

  /** What was stored for exactly this token, while `now` (milliseconds) is within its bounds. */
  get (token: string, now: number): T | undefined {
    // An empty cache (or one turned off) answers without touching the token.
    if (this.#entries.size === 0) return undefined
    const key = fingerprint(token)
    const entry = this.#entries.get(key)
    if (entry === undefined || entry.token !== token || now < entry.notBefore) return undefined
    if (now > entry.expiresAt) {
      this.#entries.delete(key)
      return undefined
    }
    // Recently used last, roughly: moved behind the others only once half the cache is newer than
    // it. Moving it on every hit would reinsert it into the map each request, and the engine then
    // promotes garbage out of the young generation (2.7 KB per request, measured with --trace-gc-nvp).
    if (this.#stored - entry.stored > this.#maxEntries / 2) {
      this.#entries.delete(key)
      entry.stored = ++this.#stored
      this.#entries.set(key, entry)
    }
    return entry.value
  }

  /**
   * A token just verified: remembered with `value` from `notBefore` to `expiresAt` (milliseconds,
   * both included) if it was verified once before; otherwise only its fingerprint is.
   */
  set (token: string, value: T, notBefore: number, expiresAt: number): void {
    if (this.#maxEntries <= 0 || expiresAt < notBefore) return
    const key = fingerprint(token)
    if (!this.#seenOnce.delete(key) && !this.#entries.has(key)) {
      this.#rememberOnce(key)
      return
    }
    this.#entries.delete(key)
    this.#entries.set(key, { token, value, notBefore, expiresAt, stored: ++this.#stored })
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(oldest(this.#entries.keys()))
  }

  /** The fingerprint of a token verified once, in place of the oldest such when there are `maxEntries`. */
  #rememberOnce (key: string): void {
    const slot = this.#seenNext
    this.#seenNext = (slot + 1) % this.#maxEntries
    const older = this.#seenOrder[slot]
    // Unless it was verified again since (and so left the map), or came back later into another slot.
    if (older !== undefined && this.#seenOnce.get(older) === slot) this.#seenOnce.delete(older)
    this.#seenOrder[slot] = key
    this.#seenOnce.set(key, slot)
  }
}
