import { ConfigError } from '@repo/service-kit/env'
import type { KeyCustody } from './key-custody.js'
import type { KeyStore, StoredKey } from './key-store.js'
import { KeySealError } from './sealing/index.js'

/** Which stored values to rewrite: those still in the clear (at start-up), or every one not current (`keys reseal`). */
export type Rewrite = 'clear' | 'not-current'

/** A key whose private half is stored: every state but `retired` (whose private half is gone). */
type HeldKey = StoredKey & { privateKey: string }
const held = (key: StoredKey): key is HeldKey => key.state !== 'retired' && key.privateKey !== null

/** The one line that stops a start or a CLI: which key, which secret sealed it, which variable to fix. */
function refusal (custody: KeyCustody, error: KeySealError): ConfigError {
  return new ConfigError(`invalid configuration: ${custody.source} cannot open a stored signing key: ${error.message}`)
}

/**
 * The new stored value of each key to rewrite, after checking that every held key opens: nothing is
 * rewritten unless all of them do. Throws the refusal of the first key that does not.
 */
async function plan (custody: KeyCustody, keys: readonly StoredKey[], rewrite: Rewrite) {
  const changes: Array<{ kid: string, from: string, to: string }> = []
  for (const key of keys.filter(held)) {
    try {
      await custody.check(key.kid, key.privateKey)
      const due = rewrite === 'clear' ? custody.inClear(key.privateKey) : !custody.isCurrent(key.privateKey)
      if (due) changes.push({ kid: key.kid, from: key.privateKey, to: custody.reseal(key.kid, key.privateKey) })
    } catch (error) {
      if (error instanceof KeySealError) throw refusal(custody, error)
      throw error
    }
  }
  return changes
}

/**
 * Checks that the custody opens every stored key (else throws a `ConfigError` naming the kid and the
 * secret that sealed it), then rewrites those `rewrite` selects under the signing-keys lock, in one
 * transaction: planned again inside it, so what another process changed meanwhile is seen. Returns
 * how many were rewritten. Reads only, and takes no lock, when nothing is to be rewritten.
 */
export async function sealStoredKeys (store: KeyStore, custody: KeyCustody, rewrite: Rewrite): Promise<number> {
  if ((await plan(custody, await store.all(), rewrite)).length === 0) return 0
  return store.transaction(async (keys) => {
    let count = 0
    for (const { kid, from, to } of await plan(custody, await keys.all(), rewrite)) {
      if (await keys.replacePrivateKey(kid, from, to)) count++
    }
    return count
  })
}
