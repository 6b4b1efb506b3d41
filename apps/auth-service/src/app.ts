import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorHandlerPlugin } from '@repo/service-kit/error-handler'
import { healthRoutes } from '@repo/service-kit/health'
import { fastifyOptions } from '@repo/service-kit/fastify-options'
import type { ReplayCache } from '@repo/dpop/replay-cache'
import { AUTHORIZATION_SERVER_METADATA_PATH, OPENID_CONFIGURATION_PATH } from '@repo/contracts/discovery'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { SSF_CONFIGURATION_PATH } from '@repo/contracts/ssf'
import { rotationPolicy, type AuthConfig } from './config.js'
import { apiDocsPlugin } from './plugins/api-docs.js'
import { authorizationCodesPlugin } from './plugins/authorization-codes.js'
import { browserSessionsPlugin } from './plugins/browser-sessions.js'
import { clientsPlugin } from './plugins/clients.js'
import { databasePlugin } from './plugins/database.js'
import { dpopPlugin } from './plugins/dpop.js'
import { maintenancePlugin } from './plugins/maintenance.js'
import { metricsPlugin } from './plugins/metrics.js'
import { publicClientCorsPlugin } from './plugins/public-client-cors.js'
import { publicCorsPlugin } from './plugins/public-cors.js'
import { signalsPlugin } from './plugins/signals.js'
import { signingKeysPlugin } from './plugins/signing-keys.js'
import { ssfTransmitterPlugin } from './plugins/ssf-transmitter.js'
import { tokenIssuerPlugin } from './plugins/token-issuer.js'
import { usersPlugin } from './plugins/users.js'
import { rateLimitsPlugin } from './rate-limits/rate-limits-plugin.js'
import { authorizationRoutes } from './routes/authorization/index.js'
import { discoveryRoutes } from './routes/discovery.js'
import { jwksRoutes } from './routes/jwks.js'
import { loginRoutes } from './routes/login.js'
import { oauthRoutes } from './routes/oauth/index.js'
import { pagesRoutes } from './routes/pages/index.js'
import { ssfConfigurationRoutes } from './routes/ssf/configuration.js'
import { ssfRoutes } from './routes/ssf/index.js'
import { userinfoRoutes } from './routes/userinfo.js'

export interface AppOverrides {
  /** Milliseconds since the epoch. */
  now?: () => number
  logger?: FastifyServerOptions['logger']
  /** The DPoP replay cache, in place of the one the database gives (PostgreSQL) or the memory one. */
  dpopReplayCache?: ReplayCache
}

/** Login bodies are two short strings; anything near this size is not a login. */
const BODY_LIMIT_BYTES = 8 * 1024

/**
 * Builds the auth service, not yet listening. It returns only once the signing key is loaded
 * (created on first start), so a listening service never has an empty JWKS.
 */
export async function buildApp (config: AuthConfig, overrides: AppOverrides = {}) {
  const now = overrides.now ?? Date.now
  const app = Fastify(fastifyOptions(config, { bodyLimit: BODY_LIMIT_BYTES, logger: overrides.logger }))
    .withTypeProvider<TypeBoxTypeProvider>()

  try {
    await app.register(errorHandlerPlugin)
    // Infrastructure, then what the routes use, then the routes.
    await app.register(metricsPlugin, {
      enabled: config.metricsEnabled,
      port: config.metricsPort,
      host: config.host,
      requestTimeoutMs: config.requestTimeoutMs,
      now,
      signingAlg: config.signingAlg,
      rotationIntervalMs: config.keyRotationIntervalSeconds * 1000
    })
    // Before any route: @fastify/swagger collects the routes as they are added.
    await app.register(apiDocsPlugin, { issuer: config.issuer })
    await app.register(databasePlugin, {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      startWaitMs: config.databaseStartWaitMs,
      registry: app.metrics.registry
    })
    // On PostgreSQL the brute-force counters are shared by every replica.
    await app.register(rateLimitsPlugin, {
      login: config.loginRateLimits,
      oauth: config.oauthRateLimits,
      sharedIn: app.db.dialect === 'postgres' ? app.db : undefined
    })
    await app.register(publicCorsPlugin, {
      paths: [JWKS_PATH, OPENID_CONFIGURATION_PATH, AUTHORIZATION_SERVER_METADATA_PATH, SSF_CONFIGURATION_PATH]
    })
    await app.register(signalsPlugin, { now })
    await app.register(usersPlugin, { seedDemoUsers: config.seedDemoUsers })
    await app.register(clientsPlugin)
    // Before the routes it names: CORS on the token, revocation and userinfo endpoints for browser apps.
    await app.register(publicClientCorsPlugin, { publicRedirectUris: () => app.clients.publicRedirectUris() })
    await app.register(signingKeysPlugin, {
      policy: rotationPolicy(config),
      pollIntervalMs: config.keyStatePollMs,
      keyEncryption: { keyEncryptionKeys: config.keyEncryptionKeys, dataDir: config.dataDir },
      pkcs11: config.signingKeyStore === 'pkcs11' ? config.pkcs11 : undefined,
      now
    })
    // Shared Signals delivery signs with the key ring; the event log (signalsPlugin) came earlier.
    await app.register(ssfTransmitterPlugin, {
      issuer: config.issuer,
      backfillMs: config.ssfBackfillSeconds * 1000,
      longPollTimeoutMs: config.ssfLongPollTimeoutMs,
      recheckMs: config.ssfRecheckMs,
      retentionMs: config.ssfEventRetentionSeconds * 1000,
      inactivityMs: config.ssfStreamInactivitySeconds * 1000,
      now
    })
    await app.register(tokenIssuerPlugin, {
      issuer: config.issuer,
      accessTokenTtlSeconds: config.tokenTtlSeconds,
      refreshTokens: {
        idleMs: config.refreshTokenIdleTtlSeconds * 1000,
        absoluteMs: config.refreshTokenAbsoluteTtlSeconds * 1000,
        reuseGraceMs: config.refreshTokenReuseGraceMs
      },
      now
    })
    await app.register(browserSessionsPlugin, {
      issuer: config.issuer,
      sessions: { idleMs: config.sessionIdleTtlSeconds * 1000, absoluteMs: config.sessionTtlSeconds * 1000 }
    })
    await app.register(authorizationCodesPlugin)
    await app.register(dpopPlugin, {
      iatWindowSeconds: config.dpopIatWindowSeconds,
      clockToleranceSeconds: config.clockToleranceSeconds,
      nonce: config.dpopNonce,
      noncePeriodMs: config.dpopNoncePeriodMs,
      replayCache: overrides.dpopReplayCache,
      now
    })
    await app.register(maintenancePlugin, {
      intervalMs: config.purgeIntervalMs,
      accessTokenReachMs: (config.tokenTtlSeconds + config.clockToleranceSeconds) * 1000,
      now
    })
    await app.register(healthRoutes, {
      isReady: () => app.keyRing.signingKey() !== undefined,
      // Nearly every answer of this service needs its database: not ready while it is away.
      notReadyReason: () => app.dbOutage.notReadyReason(app.db),
      serviceLogLevel: config.logLevel
    })
    // The JSON login hands a password to whatever app asks: a demo convenience that can be switched off.
    if (config.passwordLogin) {
      await app.register(loginRoutes, { audience: config.audience, clientId: config.clientId, now })
    }
    await app.register(pagesRoutes, { issuer: config.issuer, now })
    await app.register(oauthRoutes, {
      issuer: config.issuer,
      audience: config.audience,
      publicClientId: config.clientId,
      clockToleranceSeconds: config.clockToleranceSeconds,
      now
    })
    await app.register(authorizationRoutes, { issuer: config.issuer, now })
    await app.register(userinfoRoutes, {
      issuer: config.issuer,
      clockToleranceSeconds: config.clockToleranceSeconds,
      now
    })
    await app.register(ssfRoutes, {
      issuer: config.issuer,
      clockToleranceSeconds: config.clockToleranceSeconds,
      inactivityTimeoutSeconds: config.ssfStreamInactivitySeconds,
      now
    })
    await app.register(ssfConfigurationRoutes, {
      issuer: config.issuer,
      maxAgeSeconds: config.jwksMaxAgeSeconds,
      serviceLogLevel: config.logLevel
    })
    await app.register(jwksRoutes, { maxAgeSeconds: config.jwksMaxAgeSeconds, serviceLogLevel: config.logLevel })
    await app.register(discoveryRoutes, {
      issuer: config.issuer,
      keyRing: app.keyRing,
      signingAlg: config.signingAlg,
      maxAgeSeconds: config.jwksMaxAgeSeconds,
      serviceLogLevel: config.logLevel
    })
  } catch (error) {
    // Whatever was opened before the failure (the database, the key timer) is closed again.
    await app.close()
    throw error
  }
  return app
}
