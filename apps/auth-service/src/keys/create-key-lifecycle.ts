import type { SqlDatabase } from '@repo/service-kit/sql'
import type { KeyCustody } from './key-custody.js'
import { processInstanceId } from './key-events.js'
import { KeyLifecycle, type RotationPolicy } from './key-lifecycle.js'
import { KeyStore } from './key-store.js'
import { RetiredKeyDisposal, type DestroyFailed } from './retired-key-disposal.js'

export interface KeyLifecycleOptions {
  /** Names the process in the key history: this one's instance id unless said otherwise (the keys CLI). */
  by?: string
  /** Told of a retired key the custody could not destroy (a token's); it is tried again on the next pass. */
  destroyFailed?: DestroyFailed
}

/**
 * The key store and lifecycle on an open auth database: the one way both the service's keys
 * plugin and the keys CLI build them, so they can never disagree on how keys are made, stored or
 * moved. `custody` makes new keys in the form they are stored in, and destroys retired ones it holds.
 */
export function createKeyLifecycle (
  db: SqlDatabase,
  policy: RotationPolicy,
  custody: KeyCustody,
  { by = processInstanceId(), destroyFailed = () => {} }: KeyLifecycleOptions = {}
): { store: KeyStore, lifecycle: KeyLifecycle } {
  const store = new KeyStore(db, by)
  const disposal = new RetiredKeyDisposal(custody, destroyFailed)
  return { store, lifecycle: new KeyLifecycle(store, policy, (alg) => custody.generate(alg), disposal) }
}
