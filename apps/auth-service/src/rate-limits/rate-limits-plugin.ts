import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { isDatabaseUnavailable, type SqlDatabase } from '@repo/service-kit/sql'
import { RATE_LIMIT_GROUPS, type CredentialLimits, type RateLimitGroup } from './credential-limits.js'
import { limitersFor } from './credential-limiters.js'
import { databaseRateLimitStore, deleteEndedWindows } from './database-rate-limit-store.js'
import { tooManyRequests } from './too-many-requests.js'

export type RateLimitsOptions = Record<RateLimitGroup, CredentialLimits> & {
  /** Counters in this PostgreSQL database, shared by every replica; without it, in this process's memory. */
  sharedIn?: SqlDatabase | undefined
}

const ENDED_WINDOWS_CLEANUP_MS = 60_000
const NO_RATE_LIMIT_HEADERS = { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false }

const asList = <T>(hooks: T | T[] | undefined): T[] => hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]

/**
 * Brute-force limits for the endpoints that check secrets. Registers @fastify/rate-limit with
 * `global: false` (no route is limited unless it asks) and applies `CredentialLimits` to every route
 * whose `config` comes from `credentialRateLimits()`. Register it before those routes. Counters live
 * in this process's memory (an LRU of 5000 keys per counter), or with `sharedIn` in the PostgreSQL
 * database every replica shares, where ended windows are deleted once a minute.
 */
export const rateLimitsPlugin = fp(async function rateLimits (app: FastifyInstance, options: RateLimitsOptions) {
  await app.register(rateLimit, {
    global: false,
    // Retry-After only: X-RateLimit-* would describe one of a route's three limits, and tell an attacker its budget.
    addHeadersOnExceeding: NO_RATE_LIMIT_HEADERS,
    addHeaders: { ...NO_RATE_LIMIT_HEADERS, 'retry-after': true },
    // For routes that use @fastify/rate-limit's own `config.rateLimit`: the same 429 as ours.
    errorResponseBuilder: (request, context) => tooManyRequests(Math.ceil(context.ttl / 1000)),
    ...(options.sharedIn ? { store: databaseRateLimitStore(options.sharedIn) } : {})
  })
  const groups = new Map(RATE_LIMIT_GROUPS
    .filter((group) => options[group] !== undefined)
    .map((group) => [group, limitersFor(app, group, options[group])]))
  const { sharedIn } = options
  if (sharedIn) {
    const cleanup = setInterval(() => {
      deleteEndedWindows(sharedIn, Date.now()).catch((error: unknown) => {
        // The database away is logged once per outage; the next run deletes them.
        if (!isDatabaseUnavailable(error)) app.log.warn({ err: error }, 'deleting ended rate-limit windows failed')
      })
    }, ENDED_WINDOWS_CLEANUP_MS).unref()
    app.addHook('onClose', async () => clearInterval(cleanup))
  }

  app.addHook('onRoute', (route) => {
    const setting = route.config?.credentialRateLimit
    if (setting === undefined) return
    const hooks = groups.get(setting.group)
    if (hooks === undefined) {
      throw new Error(`${route.method} ${route.url}: no rate limits are configured for "${setting.group}"`)
    }
    route.onRequest = [...asList(route.onRequest), hooks.onRequest]
    route.preHandler = [...asList(route.preHandler), hooks.preHandler]
    route.onSend = [...asList(route.onSend), hooks.onSend]
  })
}, { name: 'rate-limits', dependencies: ['error-handler'] })
