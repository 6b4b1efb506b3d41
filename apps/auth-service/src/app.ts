import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorHandlerPlugin } from '@repo/service-kit/error-handler'
import { healthRoutes } from '@repo/service-kit/health'
import { loggerOptions } from '@repo/service-kit/logger'
import { rotationPolicy, type AuthConfig } from './config.js'
import { openAuthDatabase } from './db/open-auth-database.js'
import { generateSigningKey } from './keys/generate-signing-key.js'
import { KeyLifecycle } from './keys/key-lifecycle.js'
import { logKeyEvents, startKeyMaintenance } from './keys/key-maintenance.js'
import { KeyRing } from './keys/key-ring.js'
import { KeyStore } from './keys/key-store.js'
import { discoveryRoutes } from './routes/discovery.js'
import { jwksRoutes } from './routes/jwks.js'
import { loginRoutes } from './routes/login.js'
import { createTokenIssuer } from './tokens/token-issuer.js'
import { seedDemoUsers } from './users/demo-users.js'
import { UserStore } from './users/user-store.js'

export interface AppOverrides {
  /** Milliseconds since the epoch. */
  now?: () => number
  logger?: FastifyServerOptions['logger']
}

/** Login bodies are two short strings; anything near this size is not a login. */
const BODY_LIMIT_BYTES = 8 * 1024

/**
 * Builds the auth service, not yet listening. It returns only once the signing key is loaded
 * (created on first start), so a listening service never has an empty JWKS.
 */
export async function buildApp (config: AuthConfig, overrides: AppOverrides = {}) {
  const now = overrides.now ?? Date.now
  const app = Fastify({
    logger: overrides.logger ?? loggerOptions({ level: config.logLevel, pretty: config.prettyLogs }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Reject what doesn't match the schema instead of coercing or silently dropping it.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } }
  }).withTypeProvider<TypeBoxTypeProvider>()

  const db = openAuthDatabase(config.dataDir)
  let maintenance: ReturnType<typeof startKeyMaintenance> | undefined
  app.addHook('onClose', async () => {
    await maintenance?.stop()
    db.close()
  })
  try {
    const users = new UserStore(db)
    if (config.seedDemoUsers) {
      const seeded = await seedDemoUsers(users)
      if (seeded > 0) app.log.warn({ seeded }, 'demo users created (set SEED_DEMO_USERS=false outside a demo)')
    }
    const keyStore = new KeyStore(db)
    const lifecycle = new KeyLifecycle(keyStore, rotationPolicy(config), generateSigningKey)
    const keyLog = app.log.child({ component: 'keys' })
    logKeyEvents(keyLog, await lifecycle.tick(now()))
    const keyRing = new KeyRing(keyStore, config.signingAlg)
    await keyRing.refresh()
    maintenance = startKeyMaintenance({ lifecycle, keyRing, store: keyStore, intervalMs: config.keyStatePollMs, now, log: keyLog })
    const issueToken = createTokenIssuer({
      issuer: config.issuer,
      audience: config.audience,
      clientId: config.clientId,
      ttlSeconds: config.tokenTtlSeconds,
      keyRing,
      now
    })

    await app.register(errorHandlerPlugin)
    await app.register(healthRoutes, { isReady: () => keyRing.signingKey() !== undefined })
    await app.register(loginRoutes, { users, issueToken })
    await app.register(jwksRoutes, { keyRing, maxAgeSeconds: config.jwksMaxAgeSeconds })
    await app.register(discoveryRoutes, {
      issuer: config.issuer,
      signingAlg: config.signingAlg,
      maxAgeSeconds: config.jwksMaxAgeSeconds
    })
  } catch (error) {
    await app.close()
    throw error
  }
  return app
}
