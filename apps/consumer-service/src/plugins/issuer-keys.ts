import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ConsumerConfig } from '../config.js'
import { createJsonFetcher } from '../jwks/fetch-json.js'
import { IssuerKeySet } from '../jwks/issuer-key-set.js'
import { createJwksSource } from '../jwks/jwks-source.js'
import { startWarmUp } from '../jwks/warm-up.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The trusted issuer's public keys, fetched and cached. */
    issuerKeys: IssuerKeySet
  }
}

export interface IssuerKeysPluginOptions {
  config: ConsumerConfig
  now: () => number
}

/** A JWKS is a few kilobytes; this is ample and keeps a hostile or broken endpoint from filling memory. */
const MAX_JWKS_BYTES = 64 * 1024
/** Until the first fetch succeeds, how often it is retried (never more often than the cooldown allows). */
const STARTUP_RETRY_MS = 2000

/**
 * Fetches the issuer's keys at once, without delaying start-up: `/health/ready` turns 200 when they
 * arrive, and until then a token answers 503 with `Retry-After`. Closes its HTTP agent and retry
 * timer when the app closes.
 */
export const issuerKeysPlugin = fp(async function issuerKeys (app: FastifyInstance, { config, now }: IssuerKeysPluginOptions) {
  const fetcher = createJsonFetcher({ timeoutMs: config.jwksFetchTimeoutMs, maxBytes: MAX_JWKS_BYTES })
  const keySet = new IssuerKeySet({
    fetchJwks: createJwksSource({ issuer: config.issuer, jwksUrl: config.jwksUrl, fetcher }),
    allowedAlgs: config.allowedAlgs,
    maxTtlMs: config.jwksCacheTtlSeconds * 1000,
    cooldownMs: config.jwksCooldownSeconds * 1000,
    startupRetryMs: STARTUP_RETRY_MS,
    maxStaleMs: config.jwksMaxStaleSeconds * 1000,
    now,
    log: app.log.child({ component: 'jwks' })
  })
  app.decorate('issuerKeys', keySet)
  const warmUp = startWarmUp(keySet, Math.min(STARTUP_RETRY_MS, config.jwksCooldownSeconds * 1000))
  app.addHook('onClose', async () => {
    warmUp.stop()
    await fetcher.close()
  })
}, { name: 'issuer-keys' })
