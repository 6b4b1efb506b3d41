import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { SIGNING_KEYS_CHANGED } from '../db/schema.js'
import { describeAlgorithmSwitch, pendingAlgorithmSwitch } from '../keys/algorithm-switch.js'
import { createKeyLifecycle } from '../keys/create-key-lifecycle.js'
import type { RotationPolicy } from '../keys/key-lifecycle.js'
import { logKeyEvents, startKeyMaintenance } from '../keys/key-maintenance.js'
import { KeyRing } from '../keys/key-ring.js'

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
  /** Milliseconds since the epoch. */
  now: () => number
}

/**
 * Loads the signing keys before the service listens (creating the first one on first start), so
 * there is never a moment with an empty JWKS; then runs the key lifecycle on a timer that this
 * plugin stops when the app closes. On PostgreSQL, a key change made by another replica or the
 * CLI is announced by the database and picked up at once; the timer is the fallback.
 */
export const signingKeysPlugin = fp(async function signingKeys (
  app: FastifyInstance, { policy, pollIntervalMs, now }: SigningKeysPluginOptions
) {
  const { store, lifecycle } = createKeyLifecycle(app.db, policy)
  const log = app.log.child({ component: 'keys' })
  logKeyEvents(log, await lifecycle.tick(now()))
  const keyRing = new KeyRing(store, policy.alg)
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
