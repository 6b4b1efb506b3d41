import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { CredentialLimits, RateLimit, RateLimitGroup } from './credential-limits.js'
import { tooManyRequests } from './too-many-requests.js'

/** Names are keys of in-memory counters: bounded, whatever a request sends. */
const MAX_NAME_LENGTH = 256
const FAILURE_STATUS = 401

/** The three limiters of one group, as the route hooks `rateLimitsPlugin` adds to each of its routes. */
export function limitersFor (app: FastifyInstance, group: RateLimitGroup, limits: CredentialLimits) {
  const nameOf = (request: FastifyRequest) =>
    request.routeOptions.config.credentialRateLimit?.nameOf(request)?.slice(0, MAX_NAME_LENGTH)
  // `nameSpace` keeps each limit's counters apart in a shared store (the in-memory one has a map per limit).
  const options = ({ max, windowMs }: RateLimit, limit: string) =>
    ({ max, timeWindow: windowMs, nameSpace: `${group}:${limit}:` })
  // Without a keyGenerator, @fastify/rate-limit keys on the client IP, an IPv6 client on its /64.
  const perIp = app.createRateLimit(options(limits.perIp, 'per_ip'))
  // An IP never holds a space, so "<ip> <name>" cannot be read two ways.
  const perNameAndIp = app.createRateLimit({
    ...options(limits.failuresPerNameAndIp, 'failures_per_name_and_ip'),
    keyGenerator: (request) => `${normalizeIP(request.ip)} ${nameOf(request) ?? ''}`
  })
  const perName = app.createRateLimit({
    ...options(limits.failuresPerName, 'failures_per_name'),
    keyGenerator: (request) => nameOf(request) ?? ''
  })
  type Limiter = typeof perIp
  type Status = Awaited<ReturnType<Limiter>>
  /** Seconds until `status`'s limit lets a request through, or undefined if it does now. */
  const wait = (status: Status, spent: (status: Status & { isAllowed: false }) => boolean) =>
    status.isAllowed || !spent(status) ? undefined : status.ttlInSeconds
  const refuse = (request: FastifyRequest, limit: string, seconds: number) => {
    const event = { event: 'rate_limited', limit, ip: request.ip, name: nameOf(request) }
    request.log.info(event, 'request refused by a rate limit')
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
      const [pair, name] = await Promise.all([
        perNameAndIp(request, { increment: false }),
        perName(request, { increment: false })
      ])
      const pairWait = wait(pair, (status) => status.remaining === 0)
      const nameWait = wait(name, (status) => status.remaining === 0)
      if (pairWait !== undefined || nameWait !== undefined) {
        const limit = nameWait === undefined ? 'failures_per_name_and_ip' : 'failures_per_name'
        throw refuse(request, limit, Math.max(pairWait ?? 0, nameWait ?? 0))
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
