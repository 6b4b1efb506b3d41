import createError from '@fastify/error'
import type { FastifyRequest } from 'fastify'
import { BEARER_MESSAGES, DPOP_MESSAGES } from '@repo/contracts/bearer'
import { DPOP_ERRORS } from '@repo/dpop/constants'
import { isDatabaseUnavailable } from '@repo/service-kit/sql'
import { DpopRejection, KeysUnavailable, SignalsUnavailable, TokenRejection, type RejectionReason } from '../errors.js'
import type { ConsumerMetrics } from '../plugins/metrics.js'
import type { CredentialsProblem, Scheme } from './bearer-token.js'
import { bareChallenges, bareDpopChallenge, challenge, type Challenges } from './challenges.js'

/*
 * Every way the consumer refuses a request's credentials, as RFC 6750 §3 and RFC 9449 §7.1 answer.
 * Each 4xx carries a `WWW-Authenticate` challenge of the request's scheme (Bearer or DPoP);
 * descriptions are generic on purpose (the precise reason goes to the log, never to the client):
 *
 * - 401, bare challenges: no token at all (§3.1 gives that no error code); one Bearer and one DPoP
 *   challenge, as two header lines, since both schemes are accepted;
 * - 400 `invalid_request`: a malformed Authorization header, or a token sent in two ways (§2);
 * - 401 `invalid_token`: any token not accepted; "expired" is the one thing said (clients refresh).
 *   A bound token sent as a bearer token, or a bearer token from an issuer that requires DPoP, gets
 *   a DPoP challenge beside the Bearer one;
 * - 401 with the DPoP challenge `error="invalid_dpop_proof"`: a DPoP request whose proof is missing,
 *   doubled, invalid or replayed (the body's code stays `invalid_token`, one of the contract's codes);
 * - 403 `insufficient_scope`: a valid token without the scope of the route (`requireScope`);
 * - 503 `temporarily_unavailable` with `Retry-After`: an unknown key while the issuer's JWKS cannot
 *   be fetched, a DPoP proof while the replay cache's PostgreSQL is away, or (`SSF_OUTAGE=refuse`) a
 *   token whose issuer's revocation signals are away longer than the grace, so the request can be
 *   neither accepted nor refused.
 * - 401 `invalid_token` "The access token was revoked": the issuer's signals revoked it (its session,
 *   user or client) after it was issued.
 *
 * Every challenge ends with `resource_metadata` (RFC 9728 §5.1), the URL of this resource's metadata,
 * whence a client learns which issuers and scopes to ask for; left out only when the request's Host
 * makes no URL (resource-metadata/resource-urls.ts).
 */

type Headers = Readonly<Record<string, string | readonly string[]>>

/** The headers of a refusal with one challenge. */
const challenged = (...args: Parameters<typeof challenge>): Headers => ({ 'www-authenticate': challenge(...args) })

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

const {
  malformed: MALFORMED, invalid: INVALID, expired: EXPIRED, insufficientScope: NO_SCOPE, revoked: REVOKED
} = BEARER_MESSAGES
const SENT_TWICE = 'The access token must be sent in exactly one way: the Authorization header'

const MissingToken = answer('missing_token', BEARER_MESSAGES.missing, 401)
const InvalidRequest = answer('invalid_request', MALFORMED, 400)
const InvalidDpopRequest = answer('invalid_request', DPOP_MESSAGES.malformed, 400)
const DuplicateToken = answer('invalid_request', SENT_TWICE, 400)
const InvalidToken = answer('invalid_token', INVALID, 401)
const ExpiredToken = answer('invalid_token', EXPIRED, 401)
const RevokedToken = answer('invalid_token', REVOKED, 401)
const InvalidProof = answer('invalid_token', DPOP_MESSAGES.invalidProof, 401)
const InsufficientScope = answer('insufficient_scope', NO_SCOPE, 403)
const Unavailable = answer('temporarily_unavailable', 'The token issuer\'s keys are unavailable, try again later', 503)
const NoSignals = answer(
  'temporarily_unavailable', 'Revocation signals from the token issuer are unavailable, try again later', 503
)
/** When a client may try again while the signals are away: soon, as they may be back any moment. */
const SIGNALS_RETRY_AFTER_SECONDS = '5'

/** 400: a token in the query string or a form body as well as the Authorization header. */
export function tokenSentTwice (challenges: Challenges, request: FastifyRequest, scheme: Scheme = 'bearer'): Error {
  return new DuplicateToken(challenged(challenges, request, scheme, 'invalid_request', SENT_TWICE))
}

/** 403: a valid token without `scope`. */
export function insufficientScope (
  challenges: Challenges, request: FastifyRequest, scope: string, scheme: Scheme = 'bearer'
): Error {
  return new InsufficientScope(challenged(challenges, request, scheme, 'insufficient_scope', NO_SCOPE, { scope }))
}

function invalidToken (challenges: Challenges, request: FastifyRequest, expired: boolean, scheme: Scheme): Error {
  return expired
    ? new ExpiredToken(challenged(challenges, request, scheme, 'invalid_token', EXPIRED))
    : new InvalidToken(challenged(challenges, request, scheme, 'invalid_token', INVALID))
}

/** The answer to each DPoP rejection: the proof's, or the token's binding to the proof's key. */
function dpopRefusal (challenges: Challenges, request: FastifyRequest, rejection: DpopRejection): Error {
  switch (rejection.reason) {
    case 'dpop_proof':
    case 'dpop_replay':
      return new InvalidProof(
        challenged(challenges, request, 'dpop', DPOP_ERRORS.invalidProof, DPOP_MESSAGES.invalidProof)
      )
    case 'dpop_key':
      return invalidToken(challenges, request, false, 'dpop')
    case 'dpop_bound_as_bearer':
    case 'dpop_required':
      // A bearer request: its own challenge, and the DPoP one that says how the token must come.
      return new InvalidToken({
        'www-authenticate': [
          challenge(challenges, request, 'bearer', 'invalid_token', INVALID), bareDpopChallenge(challenges, request)
        ]
      })
  }
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
  /** No token in the Authorization header, or not one that could be a token. */
  noToken: (request: FastifyRequest, problem: CredentialsProblem) => Error
  /** A token in the query string as well as the header. */
  sentTwice: (request: FastifyRequest, scheme: Scheme) => Error
  /** What fast-jwt, the key resolver, the profile check or the DPoP checks refused a request for. */
  refused: (request: FastifyRequest, thrown: unknown, scheme: Scheme) => Error
}

/** Each refusal is counted under its bounded reason and logged with its precise one. */
export function createRefusals (challenges: Challenges, metrics: ConsumerMetrics): Refusals {
  const reject = (request: FastifyRequest, reason: RejectionReason, detail: string, error: Error) => {
    metrics.jwtVerifications.inc({ outcome: 'rejected', reason })
    request.log.info({ reason: detail }, 'access token rejected')
    return error
  }

  return {
    noToken (request, { problem, reason, scheme = 'bearer' }) {
      if (problem === 'no-credentials') {
        const bare = new MissingToken({ 'www-authenticate': bareChallenges(challenges, request) })
        return reject(request, 'missing_token', reason, bare)
      }
      const error = problem !== 'malformed-header'
        ? invalidToken(challenges, request, false, scheme)
        : scheme === 'dpop'
          ? new InvalidDpopRequest(challenged(challenges, request, 'dpop', 'invalid_request', DPOP_MESSAGES.malformed))
          : new InvalidRequest(challenged(challenges, request, 'bearer', 'invalid_request', MALFORMED))
      return reject(request, 'malformed', reason, error)
    },
    sentTwice: (request, scheme) =>
      reject(request, 'malformed', QUERY_AND_HEADER, tokenSentTwice(challenges, request, scheme)),
    refused (request, thrown, scheme) {
      const invalid = (expired = false) => invalidToken(challenges, request, expired, scheme)
      // fast-jwt wraps what the key resolver gave up with in its own key-fetching error.
      const error = thrown instanceof Error && codeOf(thrown) === KEY_FETCHING && 'originalError' in thrown
        ? thrown.originalError
        : thrown
      if (error instanceof KeysUnavailable) {
        metrics.jwtVerifications.inc({ outcome: 'unavailable', reason: 'keys_unavailable' })
        request.log.warn({ reason: error.message }, 'access token not verifiable: issuer keys unavailable')
        return new Unavailable({ 'retry-after': String(error.retryAfterSeconds) })
      }
      if (error instanceof SignalsUnavailable) {
        metrics.jwtVerifications.inc({ outcome: 'unavailable', reason: 'signals_unavailable' })
        request.log.warn({ reason: error.message }, 'access token not checkable: revocation signals unavailable')
        return new NoSignals({ 'retry-after': SIGNALS_RETRY_AFTER_SECONDS })
      }
      // The error handler answers it as every database outage: 503 with Retry-After.
      if (isDatabaseUnavailable(error)) {
        metrics.jwtVerifications.inc({ outcome: 'unavailable', reason: 'replay_cache_unavailable' })
        request.log.warn({ reason: error.message }, 'DPoP proof not checkable: the replay cache is away')
        return error
      }
      if (!(error instanceof Error)) return reject(request, 'other', String(error), invalid())
      // Ours say why under their name, fast-jwt's under their code.
      if (error instanceof DpopRejection) {
        return reject(request, error.reason, `${error.name}: ${error.message}`, dpopRefusal(challenges, request, error))
      }
      if (error instanceof TokenRejection && error.reason === 'revoked') {
        const revoked = new RevokedToken(challenged(challenges, request, scheme, 'invalid_token', REVOKED))
        return reject(request, 'revoked', `${error.name}: ${error.message}`, revoked)
      }
      if (error instanceof TokenRejection) {
        return reject(request, error.reason, `${error.name}: ${error.message}`, invalid())
      }
      const code = codeOf(error)
      const reason = fastJwtReason(code)
      const detail = `${code ?? error.name}: ${error.message}`
      return reject(request, reason, detail, invalid(reason === 'expired'))
    }
  }
}
