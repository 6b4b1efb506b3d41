import createError from '@fastify/error'
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { decodeJwt } from 'jose'
import { isDatabaseUnavailable, type SqlDatabase } from '@repo/service-kit/sql'
import { readBasicCredentials } from '../oauth/basic-credentials.js'
import { databaseRateLimitStore, deleteEndedWindows } from '../rate-limits/database-rate-limit-store.js'

/** `max` events per `windowMs`. A window starts with its first event and does not slide. */
export interface RateLimit {
  max: number
  windowMs: number
}

/** The limits of an endpoint that checks a secret: a user's password, or a client's secret or assertion. */
export interface CredentialLimits {
  /** Every request from one client IP (an IPv6 client: its /64), counted before the body is read. */
  perIp: RateLimit
  /** Failed checks (401 answers) of one name from one client IP: what one attacker gets per account. */
  failuresPerNameAndIp: RateLimit
  /**
   * Failed checks of one name from every IP together, against attacks spread over many addresses.
   * Its window is short: a lock that attackers cause ends soon after they stop.
   */
  failuresPerName: RateLimit
}

/** Routes of one group share their counters: a token and a revocation request try the same client secret. */
export type RateLimitGroup = 'login' | 'oauth'
const GROUPS: readonly RateLimitGroup[] = ['login', 'oauth']
export type RateLimitsOptions = Record<RateLimitGroup, CredentialLimits> & {
  /** Counters in this PostgreSQL database, shared by every replica; without it, in this process's memory. */
  sharedIn?: SqlDatabase | undefined
}

export interface CredentialRateLimit {
  group: RateLimitGroup
  /** The name whose secret the request tries, or undefined when it tries none (only the per-IP limit applies then). */
  nameOf: (request: FastifyRequest) => string | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set with `credentialRateLimits()`; applied by `rateLimitsPlugin`. */
    credentialRateLimit?: CredentialRateLimit
  }
}

export const TooManyRequestsError = createError('too_many_requests', 'Too many attempts, retry later', 429)

/** A 429 whose `Retry-After` says when the limit that refused it lets a request through again. */
export function tooManyRequests (retryAfterSeconds: number) {
  return Object.assign(new TooManyRequestsError(), { headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) } })
}

/**
 * The route `config` that puts an endpoint under the limits of `group` (see `CredentialLimits`):
 *
 * ```ts
 * app.post(TOKEN_PATH, { config: credentialRateLimits('oauth', clientIdOf), schema: { response: { 429: … } } }, handler)
 * ```
 *
 * A failure is an answer with status 401 (`invalid_credentials`, `invalid_client`); nothing else
 * counts against a name. A refused request throws `TooManyRequestsError` (status 429, code
 * `too_many_requests`, `headers: { 'retry-after': seconds }`) into the route's error handler.
 * It is one `config` member, not `rateLimit`: @fastify/rate-limit runs one limiter per request, and
 * these are three, two of them counting failures only.
 */
export function credentialRateLimits (group: RateLimitGroup, nameOf: CredentialRateLimit['nameOf']): { credentialRateLimit: CredentialRateLimit } {
  return { credentialRateLimit: { group, nameOf } }
}

/** The login's name: `userName` of the JSON body. */
export function userNameOf (request: FastifyRequest): string | undefined {
  const userName = (request.body as { userName?: unknown } | undefined)?.userName
  return typeof userName === 'string' ? userName : undefined
}

/**
 * The client a token or revocation request tries a secret or an assertion for: the Basic user name
 * (RFC 6749 §2.3.1, form-decoded), else `client_id` of the form, else the `iss` of the client
 * assertion: the client `authenticateClient` looks up and checks (not verified here: it only names a
 * counter; its `sub` could differ on every attempt). Undefined when the request presents no secret,
 * like a public client's refresh: failures of a secret nobody has cannot lock its users out.
 */
export function clientIdOf (request: FastifyRequest): string | undefined {
  const basic = readBasicCredentials(request.headers.authorization)?.id
  if (basic !== undefined) return basic
  const form = (request.body ?? {}) as Record<string, unknown>
  const assertion = typeof form.client_assertion === 'string' ? form.client_assertion : undefined
  if (typeof form.client_secret !== 'string' && assertion === undefined) return undefined
  if (typeof form.client_id === 'string') return form.client_id
  return assertion === undefined ? undefined : assertionIssuer(assertion)
}

function assertionIssuer (assertion: string): string | undefined {
  try {
    const { iss } = decodeJwt(assertion)
    return typeof iss === 'string' ? iss : undefined
  } catch {
    return undefined
  }
}

/** Names are keys of in-memory counters: bounded, whatever a request sends. */
const MAX_NAME_LENGTH = 256
const FAILURE_STATUS = 401
const ENDED_WINDOWS_CLEANUP_MS = 60_000

function limitersFor (app: FastifyInstance, group: RateLimitGroup, limits: CredentialLimits) {
  const nameOf = (request: FastifyRequest) => request.routeOptions.config.credentialRateLimit?.nameOf(request)?.slice(0, MAX_NAME_LENGTH)
  // `nameSpace` keeps each limit's counters apart in a shared store (the in-memory one has a map per limit).
  const options = ({ max, windowMs }: RateLimit, limit: string) => ({ max, timeWindow: windowMs, nameSpace: `${group}:${limit}:` })
  // Without a keyGenerator, @fastify/rate-limit keys on the client IP, an IPv6 client on its /64.
  const perIp = app.createRateLimit(options(limits.perIp, 'per_ip'))
  // An IP never holds a space, so "<ip> <name>" cannot be read two ways.
  const perNameAndIp = app.createRateLimit({ ...options(limits.failuresPerNameAndIp, 'failures_per_name_and_ip'), keyGenerator: (request) => `${normalizeIP(request.ip)} ${nameOf(request) ?? ''}` })
  const perName = app.createRateLimit({ ...options(limits.failuresPerName, 'failures_per_name'), keyGenerator: (request) => nameOf(request) ?? '' })
  type Limiter = typeof perIp
  type Status = Awaited<ReturnType<Limiter>>
  /** Seconds until `status`'s limit lets a request through, or undefined if it does now. */
  const wait = (status: Status, spent: (status: Status & { isAllowed: false }) => boolean) => status.isAllowed || !spent(status) ? undefined : status.ttlInSeconds
  const refuse = (request: FastifyRequest, limit: string, seconds: number) => {
    request.log.info({ event: 'rate_limited', limit, ip: request.ip, name: nameOf(request) }, 'request refused by a rate limit')
    // Optional: this plugin is also registered on its own, without the metrics.
    if (app.hasDecorator('metrics')) app.metrics.rateLimitRejections.inc({ limit })
    return tooManyRequests(seconds)
  }

  return {
    /** Counts every request, before its body is read: a flood costs no parsing and no password hashing. */
    async onRequest (request: FastifyRequest) {
      const seconds = wait(await perIp(request), (status) => status.isExceeded)
      if (seconds !== undefined) throw refuse(request, 'per_ip', seconds)
    },
    /** Refuses, before any secret is checked, a name whose failures have reached a limit. */
    async preHandler (request: FastifyRequest) {
      if (nameOf(request) === undefined) return
      const [pair, name] = await Promise.all([perNameAndIp(request, { increment: false }), perName(request, { increment: false })])
      const pairWait = wait(pair, (status) => status.remaining === 0)
      const nameWait = wait(name, (status) => status.remaining === 0)
      if (pairWait !== undefined || nameWait !== undefined) {
        throw refuse(request, nameWait === undefined ? 'failures_per_name_and_ip' : 'failures_per_name', Math.max(pairWait ?? 0, nameWait ?? 0))
      }
    },
    /** Counts a failure before its answer leaves, so the next attempt already sees it. */
    async onSend (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      if (reply.statusCode === FAILURE_STATUS && nameOf(request) !== undefined) {
        await Promise.all([perNameAndIp(request), perName(request)])
      }
      return payload
    }
  }
}

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
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    // For routes that use @fastify/rate-limit's own `config.rateLimit`: the same 429 as ours.
    errorResponseBuilder: (request, context) => tooManyRequests(Math.ceil(context.ttl / 1000)),
    ...(options.sharedIn ? { store: databaseRateLimitStore(options.sharedIn) } : {})
  })
  const groups = new Map(GROUPS.filter((group) => options[group] !== undefined).map((group) => [group, limitersFor(app, group, options[group])]))
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
    if (hooks === undefined) throw new Error(`${route.method} ${route.url}: no rate limits are configured for "${setting.group}"`)
    route.onRequest = [...asList(route.onRequest), hooks.onRequest]
    route.preHandler = [...asList(route.preHandler), hooks.preHandler]
    route.onSend = [...asList(route.onSend), hooks.onSend]
  })
}, { name: 'rate-limits', dependencies: ['error-handler'] })
