import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { NewSigningKey } from './generate-signing-key.js'
import type { KeyEvent } from './key-events.js'
import type { KeyStore, StoredKey } from './key-store.js'
import type { RetiredKeyDisposal } from './retired-key-disposal.js'

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

export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError'
  readonly code = 'UNKNOWN_KEY'
}

/**
 * Moves keys through next → active → retiring → retired (each transition recorded in the key
 * history by the store, in its transaction). Every transition re-checks its
 * precondition inside a transaction holding the signing-keys lock, so when several processes share
 * one database (replicas, the keys CLI) each transition happens exactly once, performed by
 * whichever process gets there first.
 *
 * One key signs at a time. A change of algorithm (SIGNING_ALG on an existing database) is an
 * ordinary rotation: the new algorithm's key is published as `next` for the prepublish period while
 * the old one keeps signing, then takes over and the old one retires.
 */
export class KeyLifecycle {
  readonly #store: KeyStore
  readonly #policy: RotationPolicy
  readonly #generate: (alg: SigningAlgorithm) => Promise<NewSigningKey>
  readonly #disposal: RetiredKeyDisposal | undefined

  /** `disposal` destroys retired keys outside the database (a token's); none when the row is all there is. */
  constructor (store: KeyStore, policy: RotationPolicy, generate: (alg: SigningAlgorithm) => Promise<NewSigningKey>,
    disposal?: RetiredKeyDisposal) {
    this.#store = store
    this.#policy = policy
    this.#generate = generate
    this.#disposal = disposal
  }

  /**
   * Generates a key for `work` (outside the lock: an RSA key, or a token, takes a while), and destroys
   * it again if `work` did not store it: a race lost to another process, or a failed transaction.
   */
  async #withCandidate<T> (alg: SigningAlgorithm, work: (candidate: NewSigningKey) => Promise<T>): Promise<T> {
    const candidate = await this.#generate(alg)
    const disposal = this.#disposal
    if (!disposal) return work(candidate)
    let result: T
    try {
      result = await work(candidate)
    } catch (error) {
      await disposal.destroy([candidate.kid])
      throw error
    }
    if (!await this.#store.find(candidate.kid)) await disposal.destroy([candidate.kid])
    return result
  }

  /** After a transition committed: the keys it retired are destroyed outside the database too. */
  async #disposeRetired (events: KeyEvent[]): Promise<KeyEvent[]> {
    const retired = events.filter(({ event }) => event === 'key_retired' || event === 'key_revoked')
    if (retired.length > 0) await this.#disposal?.destroy(retired.map(({ kid }) => kid))
    return events
  }

  /** Destroys outside the database every retired key still there (at start-up, and after a failure). */
  async sweepRetired (): Promise<void> {
    await this.#disposal?.sweep(this.#store)
  }

  /**
   * First start (or after a revocation left nothing to sign with): an active key, created if needed.
   * A key of another algorithm that still signs counts: it is replaced by `#switchAlgorithmDue`, on schedule.
   */
  async ensureActive (now: number): Promise<KeyEvent[]> {
    if ((await this.#store.inState('active')).length > 0) return []
    // Generated outside the lock: an RSA key takes a while, and other processes shouldn't wait for it.
    return this.#withCandidate(this.#policy.alg,
      (candidate) => this.#store.transaction((keys) => this.#ensureActiveIn(keys, candidate, now)))
  }

  /**
   * Inside the lock: a `next` key (this algorithm's first), else `candidate`, signs from `now`,
   * unless a key already does.
   */
  async #ensureActiveIn (keys: KeyStore, candidate: NewSigningKey, now: number): Promise<KeyEvent[]> {
    const { alg } = this.#policy
    if ((await keys.inState('active')).length > 0) return []
    const next = (await keys.inState('next', alg))[0] ?? (await keys.inState('next'))[0]
    if (next) {
      await keys.activate(next.kid, now)
      return [{ event: 'key_activated', kid: next.kid, alg: next.alg }]
    }
    await keys.insertActive(candidate, now)
    return [{ event: 'key_created', kid: candidate.kid, alg }, { event: 'key_activated', kid: candidate.kid, alg }]
  }

  /** Everything the schedule says is due at `now`. Cheap when nothing is due; safe to call often. */
  async tick (now: number): Promise<KeyEvent[]> {
    if (this.#disposal?.sweepDue) await this.sweepRetired()
    const events = [...await this.#retireDue(now), ...await this.#activateDue(now)]
    events.push(...await this.ensureActive(now))
    events.push(...await this.#switchAlgorithmDue(now))
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
    const existing = await this.#pendingNext(this.#store)
    if (existing) return { next: existing, events: [] }
    return this.#withCandidate(alg, (candidate) => this.#store.transaction(async (keys) => {
      const raced = await this.#pendingNext(keys)
      if (raced) return { next: raced, events: [] }
      await keys.insertNext(candidate, now, now + prepublishMs)
      const next = await keys.find(candidate.kid) as StoredKey
      return { next, events: [{ event: 'key_created' as const, kid: candidate.kid, alg }] }
    }))
  }

  /** The `next` key of the rotation under way: during a change of algorithm, the new algorithm's. */
  async #pendingNext (keys: KeyStore): Promise<StoredKey | undefined> {
    const next = await keys.inState('next')
    const signing = new Set((await keys.inState('active')).map((key) => key.alg))
    return next.find((key) => !signing.has(key.alg)) ?? next[0]
  }

  /**
   * Emergency: takes `kid` out of the JWKS and destroys its private key at once. If it was the
   * signing key, the `next` key (or a new one) signs from now on.
   */
  async revoke (kid: string, now: number): Promise<KeyEvent[]> {
    const target = await this.#store.find(kid)
    if (!target) throw new UnknownKeyError(`no key with kid ${kid}`)
    if (target.state === 'retired') throw new UnknownKeyError(`key ${kid} is already retired`)
    // The signing key's successor takes over in the same transaction: no other process (a replica
    // reloading on the change notification) ever sees the database without a key to sign with.
    const retire = (candidate?: NewSigningKey) => this.#store.transaction(async (keys): Promise<KeyEvent[]> => {
      await keys.retire(kid, now, true)
      const successor = candidate ? await this.#ensureActiveIn(keys, candidate, now) : []
      return [{ event: 'key_revoked', kid, alg: target.alg }, ...successor]
    })
    const events = await this.#disposeRetired(target.state === 'active'
      ? await this.#withCandidate(this.#policy.alg, retire)
      : await retire())
    return [...events, ...await this.ensureActive(now)]
  }

  async #retireDue (now: number): Promise<KeyEvent[]> {
    const due = (await this.#store.inState('retiring')).filter((key) => (key.retiresAt ?? 0) <= now)
    const events: KeyEvent[] = []
    for (const key of due) {
      events.push(...await this.#disposeRetired(await this.#store.transaction(async (keys): Promise<KeyEvent[]> => {
        if ((await keys.find(key.kid))?.state !== 'retiring') return []
        await keys.retire(key.kid, now, false)
        return [{ event: 'key_retired', kid: key.kid, alg: key.alg }]
      })))
    }
    return events
  }

  /**
   * SIGNING_ALG names another algorithm than the signing key's: its key is published now and signs
   * after the prepublish period, like any successor, so every consumer has it before its first token.
   */
  async #switchAlgorithmDue (now: number): Promise<KeyEvent[]> {
    const { alg, prepublishMs } = this.#policy
    // Another algorithm's key signs, and this one's successor is not published yet.
    const due = async (keys: KeyStore) => {
      const active = await keys.inState('active')
      if (active.length === 0 || active.some((key) => key.alg === alg)) return false
      return (await keys.inState('next', alg)).length === 0
    }
    if (!await due(this.#store)) return []
    return this.#withCandidate(alg, (candidate) => this.#store.transaction(async (keys): Promise<KeyEvent[]> => {
      if (!await due(keys)) return []
      await keys.insertNext(candidate, now, now + prepublishMs)
      return [{ event: 'key_created', kid: candidate.kid, alg }]
    }))
  }

  /** The due `next` key signs from now; what signed before retires; other algorithms' `next` keys never will. */
  async #activateDue (now: number): Promise<KeyEvent[]> {
    const { alg, retireAfterMs } = this.#policy
    const due = (await this.#store.inState('next', alg)).find((key) => (key.activatesAt ?? 0) <= now)
    if (!due) return []
    return this.#disposeRetired(await this.#store.transaction(async (keys) => {
      if ((await keys.find(due.kid))?.state !== 'next') return []
      const events: KeyEvent[] = []
      for (const current of await keys.inState('active')) {
        await keys.startRetiring(current.kid, now, now + retireAfterMs)
        events.push({ event: 'key_retiring', kid: current.kid, alg: current.alg })
      }
      // Published but never used to sign: nothing to keep verifiable.
      for (const stale of (await keys.inState('next')).filter((key) => key.alg !== alg)) {
        await keys.retire(stale.kid, now, false)
        events.push({ event: 'key_retired', kid: stale.kid, alg: stale.alg })
      }
      await keys.activate(due.kid, now)
      events.push({ event: 'key_activated', kid: due.kid, alg })
      return events
    }))
  }

  async #prepublishDue (now: number): Promise<KeyEvent[]> {
    const { alg, rotationIntervalMs, prepublishMs } = this.#policy
    const active = await this.#store.active(alg)
    if (!active || (await this.#store.inState('next', alg)).length > 0) return []
    const rotatesAt = (active.activatedAt ?? active.createdAt) + rotationIntervalMs
    if (now < rotatesAt - prepublishMs) return []
    return this.#withCandidate(alg, (candidate) => this.#store.transaction(async (keys): Promise<KeyEvent[]> => {
      // The schedule was read from `active`: if another process replaced it meanwhile, its successor is not due.
      if ((await keys.active(alg))?.kid !== active.kid || (await keys.inState('next', alg)).length > 0) return []
      await keys.insertNext(candidate, now, Math.max(rotatesAt, now + prepublishMs))
      return [{ event: 'key_created', kid: candidate.kid, alg }]
    }))
  }
}
