import type { SqlDatabase } from '@repo/service-kit/sql'
import { generateSigningKey } from './generate-signing-key.js'
import { processInstanceId } from './key-events.js'
import { KeyLifecycle, type RotationPolicy } from './key-lifecycle.js'
import { KeyStore } from './key-store.js'

/**
 * The key store and lifecycle on an open auth database: the one way both the service's keys
 * plugin and the keys CLI build them, so they can never disagree on how keys are made or moved.
 * `by` names the process in the key history.
 */
export function createKeyLifecycle (
  db: SqlDatabase,
  policy: RotationPolicy,
  by = processInstanceId()
): { store: KeyStore, lifecycle: KeyLifecycle } {
  const store = new KeyStore(db, by)
  return { store, lifecycle: new KeyLifecycle(store, policy, generateSigningKey) }
}
