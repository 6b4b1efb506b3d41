import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { NewSigningKey } from './generate-signing-key.js'
import type { KeyStore, StoredKey } from './key-store.js'

/** The timing rules of rotation; see `checkRotationTiming` in config.ts for why they hold. */
export interface RotationPolicy {
  /** The algorithm new keys are made for and tokens are signed with. */
  alg: SigningAlgorithm
  /** How long a key signs before its successor takes over. */
  rotationIntervalMs: number
  /** How long a `next` key is published before it signs: at least one JWKS cache lifetime. */
  prepublishMs: number
  /** How long a `retiring` key stays published after its last signature. */
  retireAfterMs: number
}

export type KeyEventName = 'key_created' | 'key_activated' | 'key_retiring' | 'key_retired' | 'key_revoked'

/** One lifecycle transition this process performed; logged as a structured event. */
export interface KeyEvent {
  event: KeyEventName
  kid: string
  alg: SigningAlgorithm
}

export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError'
}

/**
 * Moves keys through next → active → retiring → retired. Every transition re-checks its
 * precondition inside SQLite's write lock, so when several processes share one DATA_DIR each
 * transition happens exactly once, performed by whichever process gets there first.
 */
export class KeyLifecycle {
  readonly #store: KeyStore
  readonly #policy: RotationPolicy
  readonly #generate: (alg: SigningAlgorithm) => Promise<NewSigningKey>

  constructor (store: KeyStore, policy: RotationPolicy, generate: (alg: SigningAlgorithm) => Promise<NewSigningKey>) {
    this.#store = store
    this.#policy = policy
    this.#generate = generate
  }

  /** First start (or after a revocation left nothing to sign with): an active key, created if needed. */
  async ensureActive (now: number): Promise<KeyEvent[]> {
    const { alg } = this.#policy
    if (this.#store.active(alg)) return []
    const candidate = await this.#generate(alg)
    return this.#store.transaction(() => {
      if (this.#store.active(alg)) return []
      const next = this.#store.inState('next', alg)[0]
      if (next) {
        this.#store.activate(next.kid, now)
        return [{ event: 'key_activated', kid: next.kid, alg }]
      }
      this.#store.insertActive(candidate, now)
      return [{ event: 'key_created', kid: candidate.kid, alg }, { event: 'key_activated', kid: candidate.kid, alg }]
    })
  }

  /** Everything the schedule says is due at `now`. Cheap when nothing is due; safe to call often. */
  async tick (now: number): Promise<KeyEvent[]> {
    const events = [...this.#retireDue(now), ...this.#retireOtherAlgorithms(now), ...this.#activateDue(now)]
    events.push(...await this.ensureActive(now))
    events.push(...await this.#prepublishDue(now))
    return events
  }

  /**
   * Starts a rotation now: publishes a `next` key that starts signing after the prepublish
   * period, so every consumer has seen it first. Returns the `next` key (an existing one if a
   * rotation is already under way).
   */
  async rotate (now: number): Promise<{ next: StoredKey, events: KeyEvent[] }> {
    const { alg, prepublishMs } = this.#policy
    const existing = this.#store.inState('next', alg)[0]
    if (existing) return { next: existing, events: [] }
    const candidate = await this.#generate(alg)
    return this.#store.transaction(() => {
      const raced = this.#store.inState('next', alg)[0]
      if (raced) return { next: raced, events: [] }
      this.#store.insertNext(candidate, now, now + prepublishMs)
      return { next: this.#store.find(candidate.kid) as StoredKey, events: [{ event: 'key_created', kid: candidate.kid, alg }] }
    })
  }

  /**
   * Emergency: takes `kid` out of the JWKS and destroys its private key at once. If it was the
   * signing key, the `next` key (or a new one) signs from now on.
   */
  async revoke (kid: string, now: number): Promise<KeyEvent[]> {
    const target = this.#store.find(kid)
    if (!target) throw new UnknownKeyError(`no key with kid ${kid}`)
    if (target.state === 'retired') throw new UnknownKeyError(`key ${kid} is already retired`)
    this.#store.transaction(() => this.#store.retire(kid, now, true))
    return [{ event: 'key_revoked', kid, alg: target.alg }, ...await this.ensureActive(now)]
  }

  #retireDue (now: number): KeyEvent[] {
    return this.#store.inState('retiring')
      .filter((key) => (key.retiresAt ?? 0) <= now)
      .flatMap((key) => this.#store.transaction(() => {
        if (this.#store.find(key.kid)?.state !== 'retiring') return []
        this.#store.retire(key.kid, now, false)
        return [{ event: 'key_retired' as const, kid: key.kid, alg: key.alg }]
      }))
  }

  /** An active key of an algorithm no longer configured stops signing but stays verifiable for a while. */
  #retireOtherAlgorithms (now: number): KeyEvent[] {
    return this.#store.inState('active')
      .filter((key) => key.alg !== this.#policy.alg)
      .flatMap((key) => this.#store.transaction(() => {
        if (this.#store.find(key.kid)?.state !== 'active') return []
        this.#store.startRetiring(key.kid, now, now + this.#policy.retireAfterMs)
        return [{ event: 'key_retiring' as const, kid: key.kid, alg: key.alg }]
      }))
  }

  #activateDue (now: number): KeyEvent[] {
    const { alg, retireAfterMs } = this.#policy
    const due = this.#store.inState('next', alg).find((key) => (key.activatesAt ?? 0) <= now)
    if (!due) return []
    return this.#store.transaction(() => {
      if (this.#store.find(due.kid)?.state !== 'next') return []
      const events: KeyEvent[] = []
      const current = this.#store.active(alg)
      if (current) {
        this.#store.startRetiring(current.kid, now, now + retireAfterMs)
        events.push({ event: 'key_retiring', kid: current.kid, alg })
      }
      this.#store.activate(due.kid, now)
      events.push({ event: 'key_activated', kid: due.kid, alg })
      return events
    })
  }

  async #prepublishDue (now: number): Promise<KeyEvent[]> {
    const { alg, rotationIntervalMs, prepublishMs } = this.#policy
    const active = this.#store.active(alg)
    if (!active || this.#store.inState('next', alg).length > 0) return []
    const rotatesAt = (active.activatedAt ?? active.createdAt) + rotationIntervalMs
    if (now < rotatesAt - prepublishMs) return []
    const candidate = await this.#generate(alg)
    return this.#store.transaction(() => {
      if (this.#store.inState('next', alg).length > 0) return []
      this.#store.insertNext(candidate, now, Math.max(rotatesAt, now + prepublishMs))
      return [{ event: 'key_created' as const, kid: candidate.kid, alg }]
    })
  }
}
