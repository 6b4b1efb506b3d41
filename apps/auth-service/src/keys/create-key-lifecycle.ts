import type { SqlDatabase } from '@repo/service-kit/sql'
import { generateSigningKey } from './generate-signing-key.js'
import { KeyLifecycle, type RotationPolicy } from './key-lifecycle.js'
import { KeyStore } from './key-store.js'

/**
 * The key store and lifecycle on an open auth database: the one way both the service's keys
 * plugin and the keys CLI build them, so they can never disagree on how keys are made or moved.
 */
export function createKeyLifecycle (
  db: SqlDatabase,
  policy: RotationPolicy
): { store: KeyStore, lifecycle: KeyLifecycle } {
  const store = new KeyStore(db)
  return { store, lifecycle: new KeyLifecycle(store, policy, generateSigningKey) }
}
