import type { KeyCustody } from '../keys/key-custody.js'
import type { KeyStore } from '../keys/key-store.js'
import { sealStoredKeys } from '../keys/seal-stored-keys.js'

/**
 * `keys reseal`: every stored private key not sealed by the newest secret (or still in the clear) is
 * sealed by it, in one transaction under the signing-keys lock, after checking that every one opens.
 * Returns what to print.
 */
export async function resealKeys (store: KeyStore, custody: KeyCustody): Promise<string[]> {
  const count = await sealStoredKeys(store, custody, 'not-current')
  return [
    `resealed ${count} signing key(s): every stored private key is sealed with key-encryption key ` +
      custody.currentKekId,
    'Older secrets can be dropped from KEY_ENCRYPTION_KEYS once every replica runs with this list.'
  ]
}
