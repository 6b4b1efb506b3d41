import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { rotationPolicy, type AuthConfig } from '../config.js'
import { SIGNING_KEYS_CHANGED } from '../db/schema.js'
import { describeAlgorithmSwitch, pendingAlgorithmSwitch } from '../keys/algorithm-switch.js'
import { createKeyLifecycle } from '../keys/create-key-lifecycle.js'
import { logKeyEvents, startKeyMaintenance } from '../keys/key-maintenance.js'
import { KeyRing } from '../keys/key-ring.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The active signing key and the serialized JWKS, kept in step with the key store. */
    keyRing: KeyRing
  }
}

export interface SigningKeysPluginOptions {
  config: AuthConfig
  /** Milliseconds since the epoch. */
  now: () => number
}

/**
 * Loads the signing keys before the service listens (creating the first one on first start), so
 * there is never a moment with an empty JWKS; then runs the key lifecycle on a timer that this
 * plugin stops when the app closes. On PostgreSQL, a key change made by another replica or the
 * CLI is announced by the database and picked up at once; the timer is the fallback.
 */
export const signingKeysPlugin = fp(async function signingKeys (app: FastifyInstance, { config, now }: SigningKeysPluginOptions) {
  const { store, lifecycle } = createKeyLifecycle(app.db, rotationPolicy(config))
  const log = app.log.child({ component: 'keys' })
  logKeyEvents(log, await lifecycle.tick(now()))
  const keyRing = new KeyRing(store, config.signingAlg)
  await keyRing.refresh()
  // A new SIGNING_ALG on an existing database: say when it takes over (every start until it has).
  const change = pendingAlgorithmSwitch(await store.published(), config.signingAlg)
  if (change) {
    log.info({ event: 'signing_alg_switch_scheduled', ...change, at: new Date(change.at).toISOString() }, describeAlgorithmSwitch(change))
  }
  const maintenance = startKeyMaintenance({ lifecycle, keyRing, intervalMs: config.keyStatePollMs, now, log })
  app.addHook('onClose', async () => maintenance.stop())
  await app.db.watch(SIGNING_KEYS_CHANGED, () => maintenance.runNow())
  app.decorate('keyRing', keyRing)
}, { name: 'signing-keys', dependencies: ['database'] })
