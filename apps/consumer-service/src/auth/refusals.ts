import createError from '@fastify/error'
import type { FastifyRequest } from 'fastify'
import { BEARER_MESSAGES, bearerChallenge } from '@repo/contracts/bearer'
import { KeysUnavailable, TokenRejection, type RejectionReason } from '../errors.js'
import type { ConsumerMetrics } from '../plugins/metrics.js'
import type { BearerProblem } from './bearer-token.js'

/*
 * Every way the consumer refuses a request's credentials, as RFC 6750 §3 answers. Each 4xx carries
 * a `WWW-Authenticate` challenge; descriptions are generic on purpose (the precise reason goes to
 * the log, never to the client):
 *
 * - 401, a bare challenge: no bearer token at all (§3.1 gives that no error code);
 * - 400 `invalid_request`: a malformed Authorization header, or a token sent in two ways (§2);
 * - 401 `invalid_token`: any token not accepted; "expired" is the one thing said (clients refresh);
 * - 403 `insufficient_scope`: a valid token without the scope of the route (`requireScope`);
 * - 503 `temporarily_unavailable` with `Retry-After`: an unknown key while the issuer's JWKS cannot
 *   be fetched, so the token can be neither accepted nor refused.
 */

type Headers = Readonly<Record<string, string>>

/** `createError`, whose errors also carry their answer's headers: the error handler sends them. */
function answer (code: string, message: string, statusCode: number) {
  return class extends createError(code, message, statusCode) {
    readonly headers: Headers
    constructor (headers: Headers) {
      super()
      this.headers = headers
    }
  }
}

const { malformed: MALFORMED, invalid: INVALID, expired: EXPIRED, insufficientScope: NO_SCOPE } = BEARER_MESSAGES
const SENT_TWICE = 'The access token must be sent in exactly one way: the Authorization header'

const MissingToken = answer('missing_token', BEARER_MESSAGES.missing, 401)
const InvalidRequest = answer('invalid_request', MALFORMED, 400)
const DuplicateToken = answer('invalid_request', SENT_TWICE, 400)
const InvalidToken = answer('invalid_token', INVALID, 401)
const ExpiredToken = answer('invalid_token', EXPIRED, 401)
const InsufficientScope = answer('insufficient_scope', NO_SCOPE, 403)
const Unavailable = answer('temporarily_unavailable', 'The token issuer\'s keys are unavailable, try again later', 503)

const challenge = (realm: string, error: string, description: string, more: Record<string, string> = {}) =>
  ({ 'www-authenticate': bearerChallenge(realm, { error, error_description: description, ...more }) })

/** 400: a token in the query string or a form body as well as the Authorization header. */
export function tokenSentTwice (realm: string): Error {
  return new DuplicateToken(challenge(realm, 'invalid_request', SENT_TWICE))
}

/** 403: a valid token without `scope`. */
export function insufficientScope (realm: string, scope: string): Error {
  return new InsufficientScope(challenge(realm, 'insufficient_scope', NO_SCOPE, { scope }))
}

function invalidToken (realm: string, expired: boolean): Error {
  return expired
    ? new ExpiredToken(challenge(realm, 'invalid_token', EXPIRED))
    : new InvalidToken(challenge(realm, 'invalid_token', INVALID))
}

/** The bounded reason of fast-jwt's errors, by their `code` (fast-jwt's `TokenError.codes`). */
function fastJwtReason (code: string | undefined): RejectionReason {
  switch (code) {
    case 'FAST_JWT_INVALID_SIGNATURE':
    case 'FAST_JWT_MISSING_SIGNATURE':
      return 'signature'
    case 'FAST_JWT_MALFORMED':
      return 'malformed'
    case 'FAST_JWT_EXPIRED':
      return 'expired'
    case 'FAST_JWT_INVALID_CLAIM_VALUE':
      return 'claims'
    default:
      return 'other'
  }
}

const KEY_FETCHING = 'FAST_JWT_KEY_FETCHING_ERROR'
const QUERY_AND_HEADER = 'a token in the query string as well as the Authorization header'
const codeOf = (error: Error) => 'code' in error && typeof error.code === 'string' ? error.code : undefined

export interface Refusals {
  /** No bearer token in the Authorization header, or not one that could be a token. */
  noToken: (request: FastifyRequest, problem: BearerProblem) => Error
  /** A token in the query string as well as the header. */
  sentTwice: (request: FastifyRequest) => Error
  /** What fast-jwt, the key resolver or the profile check refused a token for. */
  refused: (request: FastifyRequest, thrown: unknown) => Error
}

/** Each refusal is counted under its bounded reason and logged with its precise one. */
export function createRefusals (realm: string, metrics: ConsumerMetrics): Refusals {
  const bareChallenge = { 'www-authenticate': bearerChallenge(realm) }
  const reject = (request: FastifyRequest, reason: RejectionReason, detail: string, error: Error) => {
    metrics.jwtVerifications.inc({ outcome: 'rejected', reason })
    request.log.info({ reason: detail }, 'access token rejected')
    return error
  }

  return {
    noToken (request, { problem, reason }) {
      if (problem === 'no-credentials') return reject(request, 'missing_token', reason, new MissingToken(bareChallenge))
      const error = problem === 'malformed-header'
        ? new InvalidRequest(challenge(realm, 'invalid_request', MALFORMED))
        : invalidToken(realm, false)
      return reject(request, 'malformed', reason, error)
    },
    sentTwice: (request) => reject(request, 'malformed', QUERY_AND_HEADER, tokenSentTwice(realm)),
    refused (request, thrown) {
      // fast-jwt wraps what the key resolver gave up with in its own key-fetching error.
      const error = thrown instanceof Error && codeOf(thrown) === KEY_FETCHING && 'originalError' in thrown
        ? thrown.originalError
        : thrown
      if (error instanceof KeysUnavailable) {
        metrics.jwtVerifications.inc({ outcome: 'unavailable', reason: 'keys_unavailable' })
        request.log.warn({ reason: error.message }, 'access token not verifiable: issuer keys unavailable')
        return new Unavailable({ 'retry-after': String(error.retryAfterSeconds) })
      }
      if (!(error instanceof Error)) return reject(request, 'other', String(error), invalidToken(realm, false))
      // Ours say why under their name, fast-jwt's under their code.
      if (error instanceof TokenRejection) {
        return reject(request, error.reason, `${error.name}: ${error.message}`, invalidToken(realm, false))
      }
      const code = codeOf(error)
      const reason = fastJwtReason(code)
      const detail = `${code ?? error.name}: ${error.message}`
      return reject(request, reason, detail, invalidToken(realm, reason === 'expired'))
    }
  }
}
