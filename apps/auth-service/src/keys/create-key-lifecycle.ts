import type { SqlDatabase } from '@repo/service-kit/sql'
import type { KeyCustody } from './key-custody.js'
import { processInstanceId } from './key-events.js'
import { KeyLifecycle, type RotationPolicy } from './key-lifecycle.js'
import { KeyStore } from './key-store.js'

/**
 * The key store and lifecycle on an open auth database: the one way both the service's keys
 * plugin and the keys CLI build them, so they can never disagree on how keys are made, stored or
 * moved. `custody` makes new keys in the form they are stored in; `by` names the process in the key history.
 */
export function createKeyLifecycle (
  db: SqlDatabase,
  policy: RotationPolicy,
  custody: KeyCustody,
  by = processInstanceId()
): { store: KeyStore, lifecycle: KeyLifecycle } {
  const store = new KeyStore(db, by)
  return { store, lifecycle: new KeyLifecycle(store, policy, (alg) => custody.generate(alg)) }
}
