import type { FastifyRequest } from 'fastify'

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
export const RATE_LIMIT_GROUPS: readonly RateLimitGroup[] = ['login', 'oauth']

export interface CredentialRateLimit {
  group: RateLimitGroup
  /**
   * The name whose secret the request tries, or undefined when it tries none (only the per-IP
   * limit applies then). Each route keeps its own beside it (routes/login.ts, routes/oauth/).
   */
  nameOf: (request: FastifyRequest) => string | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set with `credentialRateLimits()`; applied by `rateLimitsPlugin`. */
    credentialRateLimit?: CredentialRateLimit
  }
}

/**
 * The route `config` that puts an endpoint under the limits of `group` (see `CredentialLimits`):
 *
 * ```ts
 * app.post(TOKEN_PATH, {
 *   config: credentialRateLimits('oauth', clientIdOf), schema: { response: { 429: … } }
 * }, handler)
 * ```
 *
 * A failure is an answer with status 401 (`invalid_credentials`, `invalid_client`); nothing else
 * counts against a name. A refused request throws `TooManyRequestsError` (status 429, code
 * `too_many_requests`, `headers: { 'retry-after': seconds }`) into the route's error handler.
 * It is one `config` member, not `rateLimit`: @fastify/rate-limit runs one limiter per request, and
 * these are three, two of them counting failures only.
 */
export function credentialRateLimits (
  group: RateLimitGroup, nameOf: CredentialRateLimit['nameOf']
): { credentialRateLimit: CredentialRateLimit } {
  return { credentialRateLimit: { group, nameOf } }
}
