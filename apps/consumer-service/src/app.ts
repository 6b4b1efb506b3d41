import { hostname } from 'node:os'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorHandlerPlugin } from '@repo/service-kit/error-handler'
import { healthRoutes } from '@repo/service-kit/health'
import { fastifyOptions } from '@repo/service-kit/fastify-options'
import { authenticate } from './auth/authenticate.js'
import type { ConsumerConfig } from './config.js'
import { replayCacheFor } from './dpop/replay-cache-for.js'
import { apiDocsPlugin } from './plugins/api-docs.js'
import { corsPlugin } from './plugins/cors.js'
import { databasePlugin } from './plugins/database.js'
import { metricsPlugin } from './plugins/metrics.js'
import { everyIssuerReady, trustedIssuersPlugin } from './plugins/trusted-issuers.js'
import { signalsPlugin } from './plugins/signals.js'
import type { Sleep } from './signals/receiver.js'
import { resourceMetadataPlugin } from './resource-metadata/metadata-route.js'
import { createResourceUrls } from './resource-metadata/resource-urls.js'
import { apiRoutes } from './routes/api/index.js'

const API_PREFIX = '/api/v1'

export interface AppOverrides {
  /** Milliseconds since the epoch. */
  now?: () => number
  logger?: FastifyServerOptions['logger']
  /** How the signals receivers wait between polls after a failure (tests: no real backoff). */
  signalsSleep?: Sleep
}

/**
 * Builds the consumer service, not yet listening. It starts fetching every trusted issuer's keys at
 * once but does not wait for them: `/health/ready` turns 200 when each has a usable key.
 */
export async function buildApp (config: ConsumerConfig, overrides: AppOverrides = {}) {
  const now = overrides.now ?? Date.now
  // The resource identifier and its metadata's URL (RFC 9728), as the requests reach the service.
  const resourceUrls = createResourceUrls(config.publicUrl)
  const app = Fastify(fastifyOptions(config, { bodyLimit: 16 * 1024, logger: overrides.logger }))
    .withTypeProvider<TypeBoxTypeProvider>()

  try {
    await app.register(errorHandlerPlugin)
    // Infrastructure, then what the routes use, then the routes.
    // Before any route: @fastify/swagger collects the routes as they are added.
    await app.register(apiDocsPlugin, { protectedPrefix: API_PREFIX })
    // Before the API's authentication hook: a preflight carries no token.
    await app.register(corsPlugin, { origins: config.corsOrigins })
    await app.register(metricsPlugin, {
      enabled: config.metricsEnabled,
      port: config.metricsPort,
      host: config.host,
      requestTimeoutMs: config.requestTimeoutMs,
      now
    })
    await app.register(databasePlugin, {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      startWaitMs: config.databaseStartWaitMs,
      registry: app.metrics.registry
    })
    await app.register(trustedIssuersPlugin, {
      issuers: config.issuers,
      allowedAlgs: config.allowedAlgs,
      cacheTtlMs: config.jwksCacheTtlSeconds * 1000,
      cooldownMs: config.jwksCooldownSeconds * 1000,
      maxStaleMs: config.jwksMaxStaleSeconds * 1000,
      fetchTimeoutMs: config.jwksFetchTimeoutMs,
      allowInsecure: config.allowInsecureIssuers,
      now
    })
    await app.register(signalsPlugin, {
      issuers: config.issuers,
      receiverName: config.ssfReceiverName ?? `${hostname()}:${config.port}`,
      outage: config.ssfOutage,
      graceMs: config.ssfOutageGraceMs,
      startupWaitMs: config.ssfStartupWaitMs,
      retainSeconds: config.ssfMaxTokenLifetimeSeconds + config.clockToleranceSeconds,
      maxEntries: config.ssfMaxEntries,
      allowedAlgs: config.allowedAlgs,
      metadataTimeoutMs: config.jwksFetchTimeoutMs,
      now,
      sleep: overrides.signalsSleep
    })
    await app.register(authenticate, {
      realm: config.audience,
      resourceUrls,
      allowedAlgs: config.allowedAlgs,
      clockToleranceSeconds: config.clockToleranceSeconds,
      maxSignalledLifetimeSeconds: config.ssfMaxTokenLifetimeSeconds,
      verifiedTokenCacheMs: Math.min(config.verifiedTokenCacheSeconds, config.jwksCacheTtlSeconds) * 1000,
      dpop: {
        publicUrl: config.publicUrl,
        iatWindowSeconds: config.dpopIatWindowSeconds,
        replayCache: replayCacheFor(config, app.database)
      },
      now
    })
    await app.register(healthRoutes, {
      isReady: () => everyIssuerReady(app.trustedIssuers) && app.signalsReady(),
      details: app.signalsHealth,
      serviceLogLevel: config.logLevel
    })
    // Before the routes: it collects the scopes they require as they are added.
    await app.register(resourceMetadataPlugin, {
      issuers: config.issuers, resourceUrls, fixedOrigin: config.publicUrl !== undefined
    })
    await app.register(apiRoutes, { prefix: API_PREFIX, now })
  } catch (error) {
    await app.close()
    throw error
  }
  return app
}
