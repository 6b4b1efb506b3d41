import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { SIGNING_KEYS_CHANGED } from '../db/schema.js'
import { describeAlgorithmSwitch, pendingAlgorithmSwitch } from '../keys/algorithm-switch.js'
import { createKeyLifecycle } from '../keys/create-key-lifecycle.js'
import { serviceKeyring, type KeyEncryptionOptions } from '../keys/key-encryption-keys.js'
import type { RotationPolicy } from '../keys/key-lifecycle.js'
import { logKeyEvents, startKeyMaintenance } from '../keys/key-maintenance.js'
import { KeyRing } from '../keys/key-ring.js'
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
  /** Milliseconds since the epoch. */
  now: () => number
}

/**
 * Loads the signing keys before the service listens (creating the first one on first start), so
 * there is never a moment with an empty JWKS; then runs the key lifecycle on a timer that this
 * plugin stops when the app closes. On PostgreSQL, a key change made by another replica or the
 * CLI is announced by the database and picked up at once; the timer is the fallback.
 *
 * First, in this order: every stored private key must open with the configured secrets (else the
 * start stops, naming the key), then those an earlier release stored in the clear are sealed.
 */
export const signingKeysPlugin = fp(async function signingKeys (
  app: FastifyInstance, { policy, pollIntervalMs, keyEncryption, now }: SigningKeysPluginOptions
) {
  const log = app.log.child({ component: 'keys' })
  const { keyring, generatedAt } = await serviceKeyring(keyEncryption)
  if (generatedAt) {
    log.info({ event: 'key_encryption_key_generated', path: generatedAt },
      `generated a key-encryption key at ${generatedAt}: back it up with the database ` +
      '(without it the signing keys do not open), or set KEY_ENCRYPTION_KEYS')
  }
  const custody = sealedKeyCustody(keyring)
  const { store, lifecycle } = createKeyLifecycle(app.db, policy, custody)
  const sealed = await sealStoredKeys(store, custody, 'clear')
  if (sealed > 0) {
    log.info({ event: 'signing_keys_sealed', count: sealed, kekId: custody.currentKekId },
      `sealed ${sealed} signing key(s) stored in the clear with key-encryption key ${custody.currentKekId}`)
  }
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
  app.addHook('onClose', async () => maintenance.stop())
  await app.db.watch(SIGNING_KEYS_CHANGED, () => maintenance.runNow())
  app.decorate('keyRing', keyRing)
}, { name: 'signing-keys', dependencies: ['database'] })
