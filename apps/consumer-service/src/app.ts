import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { errorHandlerPlugin } from '@repo/service-kit/error-handler'
import { healthRoutes } from '@repo/service-kit/health'
import { loggerOptions } from '@repo/service-kit/logger'
import { authenticate } from './auth/authenticate.js'
import type { ConsumerConfig } from './config.js'
import { createJsonFetcher, type JsonFetcher } from './jwks/fetch-json.js'
import { IssuerKeySet } from './jwks/issuer-key-set.js'
import { createJwksSource } from './jwks/jwks-source.js'
import { startWarmUp } from './jwks/warm-up.js'
import { ReportStore } from './reports/report-store.js'
import { protectedRoutes } from './routes/protected.js'
import { reportRoutes } from './routes/reports.js'

export interface AppOverrides {
  /** Milliseconds since the epoch. */
  now?: () => number
  logger?: FastifyServerOptions['logger']
  /** How the issuer's documents are fetched; tests may count or fail requests. */
  fetcher?: JsonFetcher
}

/** A JWKS is a few kilobytes; this is ample and keeps a hostile or broken endpoint from filling memory. */
const MAX_JWKS_BYTES = 64 * 1024

/**
 * Builds the consumer service, not yet listening. It starts fetching the issuer's keys at once but
 * does not wait for them: `/health/ready` turns 200 when they arrive, and until then a token
 * answers 503 with `Retry-After`.
 */
export async function buildApp (config: ConsumerConfig, overrides: AppOverrides = {}) {
  const now = overrides.now ?? Date.now
  const app = Fastify({
    logger: overrides.logger ?? loggerOptions({ level: config.logLevel, pretty: config.prettyLogs }),
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } }
  }).withTypeProvider<TypeBoxTypeProvider>()

  const fetcher = overrides.fetcher ?? createJsonFetcher({ timeoutMs: config.jwksFetchTimeoutMs, maxBytes: MAX_JWKS_BYTES })
  const keySet = new IssuerKeySet({
    fetchJwks: createJwksSource({ issuer: config.issuer, jwksUrl: config.jwksUrl, fetcher }),
    allowedAlgs: config.allowedAlgs,
    maxTtlMs: config.jwksCacheTtlSeconds * 1000,
    cooldownMs: config.jwksCooldownSeconds * 1000,
    maxStaleMs: config.jwksMaxStaleSeconds * 1000,
    now,
    log: app.log.child({ component: 'jwks' })
  })
  const reports = ReportStore.open(config.dataDir)
  app.addHook('onClose', async () => {
    reports.close()
    await fetcher.close()
  })

  await app.register(errorHandlerPlugin)
  await app.register(authenticate, {
    issuer: config.issuer,
    audience: config.audience,
    allowedAlgs: config.allowedAlgs,
    clockToleranceSeconds: config.clockToleranceSeconds,
    verifiedTokenCacheMs: Math.min(config.verifiedTokenCacheSeconds, config.jwksCacheTtlSeconds) * 1000,
    keySet,
    now
  })
  await app.register(healthRoutes, { isReady: () => keySet.loaded })
  await app.register(protectedRoutes)
  await app.register(reportRoutes, { reports, now })

  const warmUp = startWarmUp(keySet, Math.min(config.jwksCooldownSeconds * 1000, 2000))
  app.addHook('onClose', async () => warmUp.stop())
  return Object.assign(app, { keySet })
}
