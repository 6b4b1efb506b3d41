import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { SIGNING_KEYS_CHANGED } from '../db/schema.js'
import { describeAlgorithmSwitch, pendingAlgorithmSwitch } from '../keys/algorithm-switch.js'
import { createKeyLifecycle } from '../keys/create-key-lifecycle.js'
import type { KeyCustody } from '../keys/key-custody.js'
import { serviceKeyring, type KeyEncryptionOptions } from '../keys/key-encryption-keys.js'
import type { RotationPolicy } from '../keys/key-lifecycle.js'
import { logKeyEvents, startKeyMaintenance } from '../keys/key-maintenance.js'
import { KeyRing } from '../keys/key-ring.js'
import { openPkcs11Custody } from '../keys/open-pkcs11-custody.js'
import type { Pkcs11Settings } from '../keys/pkcs11-settings.js'
import { sealStoredKeys } from '../keys/seal-stored-keys.js'
import { sealedKeyCustody } from '../keys/sealed-key-custody.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The active signing key and the serialized JWKS, kept in step with the key store. */
    keyRing: KeyRing
  }
}

export interface SigningKeysPluginOptions {
  /** The rotation timing, and the algorithm new keys are made for (`rotationPolicy(config)`). */
  policy: RotationPolicy
  /** `KEY_STATE_POLL`: how often due transitions run and other processes' key changes are looked for. */
  pollIntervalMs: number
  /** The secrets the private keys are sealed with (`KEY_ENCRYPTION_KEYS`, else DATA_DIR's file). */
  keyEncryption: KeyEncryptionOptions
  /** With SIGNING_KEY_STORE=pkcs11, the token that holds the keys instead (nothing private is stored). */
  pkcs11: Pkcs11Settings | undefined
  /** Milliseconds since the epoch. */
  now: () => number
}

/**
 * Loads the signing keys before the service listens (creating the first one on first start), so
 * there is never a moment with an empty JWKS; then runs the key lifecycle on a timer that this
 * plugin stops when the app closes. On PostgreSQL, a key change made by another replica or the
 * CLI is announced by the database and picked up at once; the timer is the fallback.
 *
 * First, in this order: every stored private key must open with the configured secrets, or be in
 * the configured PKCS#11 token (else the start stops, naming the key), then those an earlier release
 * stored in the clear are sealed, and retired keys still in the token are destroyed.
 */
export const signingKeysPlugin = fp(async function signingKeys (
  app: FastifyInstance, { policy, pollIntervalMs, keyEncryption, pkcs11, now }: SigningKeysPluginOptions
) {
  const log = app.log.child({ component: 'keys' })
  const custody = pkcs11 ? await openPkcs11Custody(pkcs11, [policy.alg]) : await databaseCustody(keyEncryption, log)
  const started: { maintenance?: ReturnType<typeof startKeyMaintenance> } = {}
  // The token session ends with the app (after the last maintenance pass), also when the start is
  // refused below: buildApp closes the app then.
  app.addHook('onClose', async () => {
    await started.maintenance?.stop()
    await custody.close()
  })
  const { store, lifecycle } = createKeyLifecycle(app.db, policy, custody, {
    // The kid and the token's code: the transition committed, the key is destroyed on a later pass.
    destroyFailed: (kid, error) => log.warn({ event: 'key_destroy_failed', kid, code: errorCode(error) },
      `signing key ${kid} retired but not destroyed in the key store; retrying on the next key maintenance pass`)
  })
  const sealed = await sealStoredKeys(store, custody, 'clear')
  if (sealed > 0) {
    log.info({ event: 'signing_keys_sealed', count: sealed, kekId: custody.currentKekId },
      `sealed ${sealed} signing key(s) stored in the clear with key-encryption key ${custody.currentKekId}`)
  }
  await lifecycle.sweepRetired()
  logKeyEvents(log, await lifecycle.tick(now()))
  const keyRing = new KeyRing(store, policy.alg, custody)
  await keyRing.refresh()
  // A new SIGNING_ALG on an existing database: say when it takes over (every start until it has).
  const change = pendingAlgorithmSwitch(await store.published(), policy.alg)
  if (change) {
    const event = { event: 'signing_alg_switch_scheduled', ...change, at: new Date(change.at).toISOString() }
    log.info(event, describeAlgorithmSwitch(change))
  }
  const maintenance = startKeyMaintenance({ lifecycle, keyRing, intervalMs: pollIntervalMs, now, log })
  started.maintenance = maintenance
  await app.db.watch(SIGNING_KEYS_CHANGED, () => maintenance.runNow())
  app.decorate('keyRing', keyRing)
}, { name: 'signing-keys', dependencies: ['database'] })

const errorCode = (error: unknown) => (error as { code?: unknown } | null)?.code ?? 'UNKNOWN'

/** Keys sealed in the database: with KEY_ENCRYPTION_KEYS, else the secret in DATA_DIR (generated on first start). */
async function databaseCustody (keyEncryption: KeyEncryptionOptions, log: FastifyInstance['log']): Promise<KeyCustody> {
  const { keyring, generatedAt } = await serviceKeyring(keyEncryption)
  if (generatedAt) {
    log.info({ event: 'key_encryption_key_generated', path: generatedAt },
      `generated a key-encryption key at ${generatedAt}: back it up with the database ` +
      '(without it the signing keys do not open), or set KEY_ENCRYPTION_KEYS')
  }
  return sealedKeyCustody(keyring)
}
