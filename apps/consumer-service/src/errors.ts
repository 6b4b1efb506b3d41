import createError from '@fastify/error'
import type { RejectionReason } from './plugins/metrics.js'

/**
 * RFC 6750 §3: every authentication failure says how to authenticate in `WWW-Authenticate`.
 * Descriptions are generic on purpose; the precise reason goes to the log, never to the client.
 */
export function bearerChallenge (realm: string, attributes: Record<string, string> = {}): string {
  // RFC 6750 §3: attribute values may not contain `"` or `\`; drop them rather than break the header.
  const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`
  const params = [`realm=${quote(realm)}`, ...Object.entries(attributes).map(([name, value]) => `${name}=${quote(value)}`)]
  return `Bearer ${params.join(', ')}`
}

export type ChallengeAttributes = Record<string, string>

/** Attaches the RFC 6750 challenge to an error; the error handler sends it as `WWW-Authenticate`. */
export function withChallenge<E extends Error> (error: E, realm: string, attributes?: ChallengeAttributes): E {
  return Object.assign(error, { headers: { 'www-authenticate': bearerChallenge(realm, attributes) } })
}

/** No credentials, or credentials of another scheme: 401 with a bare challenge. */
export const MissingTokenError = createError('missing_token', 'A bearer access token is required', 401)

/** An `Authorization: Bearer` header that does not follow RFC 6750 §2.1. */
export const InvalidRequestError = createError('invalid_request', 'The Authorization header must be: Bearer <token>', 400)

/** Any token the service will not accept: bad signature, wrong issuer or audience, expired, unknown key... */
export const InvalidTokenError = createError('invalid_token', 'The access token is invalid', 401)

/** A token that was valid and has expired: RFC 6750 §3 lets the description say so, and clients need it to know to refresh. */
export const ExpiredTokenError = createError('invalid_token', 'The access token expired', 401)

/** A request that carries its token in more than one way (RFC 6750 §2: clients MUST NOT). */
export const DuplicateTokenError = createError('invalid_request', 'The access token must be sent in exactly one way: the Authorization header', 400)

/** A valid token without the scope the route needs. */
export const InsufficientScopeError = createError('insufficient_scope', 'The access token lacks the required scope', 403)

/** The token names a key the service does not know, and the issuer's JWKS cannot be fetched right now. */
export const KeysUnavailableError = createError('temporarily_unavailable', 'The token issuer\'s keys are unavailable, try again later', 503)

/** Why a token was rejected, for the log line; never sent to the client. */
export class TokenRejection extends Error {
  override name = 'TokenRejection'
  /** The bounded reason the metrics count it under. */
  readonly kind: RejectionReason

  constructor (message: string, kind: RejectionReason) {
    super(message)
    this.kind = kind
  }
}
