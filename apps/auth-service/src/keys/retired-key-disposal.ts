import type { KeyCustody } from './key-custody.js'
import type { KeyStore } from './key-store.js'

/** Told of a key the custody could not destroy (it is tried again); never blocks a transition. */
export type DestroyFailed = (kid: string, error: unknown) => void

/**
 * Destroys, outside the database, the keys the lifecycle is done with: a retired key's half in a
 * PKCS#11 token (after its row's transition committed), a generated key that never got a row. A
 * failure is reported and leaves a sweep due: the next pass destroys every key the custody still
 * holds whose row is retired, which also catches what another process (the keys CLI) failed to.
 */
export class RetiredKeyDisposal {
  readonly #custody: Pick<KeyCustody, 'destroy' | 'held'>
  readonly #failed: DestroyFailed
  #sweepDue = false

  constructor (custody: Pick<KeyCustody, 'destroy' | 'held'>, failed: DestroyFailed) {
    this.#custody = custody
    this.#failed = failed
  }

  get sweepDue (): boolean {
    return this.#sweepDue
  }

  async destroy (kids: readonly string[]): Promise<void> {
    for (const kid of kids) {
      try {
        await this.#custody.destroy(kid)
      } catch (error) {
        this.#sweepDue = true
        this.#failed(kid, error)
      }
    }
  }

  /** Destroys what the custody holds of every retired key. Keys without a row (another deployment's) stay. */
  async sweep (store: KeyStore): Promise<void> {
    this.#sweepDue = false
    let held: string[]
    try {
      held = await this.#custody.held()
    } catch (error) {
      this.#sweepDue = true
      this.#failed('*', error)
      return
    }
    if (held.length === 0) return
    const retired = new Set((await store.inState('retired')).map((key) => key.kid))
    await this.destroy(held.filter((kid) => retired.has(kid)))
  }
}
