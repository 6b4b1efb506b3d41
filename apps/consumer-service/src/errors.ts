/**
 * Why a token was refused, as a fixed set: the log line keeps the detail, the metric label never
 * carries a token's own text (a crafted `kid` or `iss` must not mint a new series).
 */
export const REJECTION_REASONS = [
  'missing_token', 'malformed', 'header', 'typ', 'alg', 'untrusted_issuer', 'unknown_kid', 'unusable_key',
  'signature', 'expired', 'claims', 'audience', 'scope', 'other',
  // Shared Signals: the issuer said the token's session, user or client was revoked after it was issued.
  'revoked',
  // DPoP (RFC 9449): the proof itself, its replay, a key other than the token's, a bound token sent as
  // a bearer token, a bearer token from an issuer whose tokens must be DPoP-bound.
  'dpop_proof', 'dpop_replay', 'dpop_key', 'dpop_bound_as_bearer', 'dpop_required'
] as const
export type RejectionReason = typeof REJECTION_REASONS[number]

/**
 * Why a token was rejected, by the key resolver or the RFC 9068 profile check: for the log line and
 * the metrics, never sent to the client (auth/refusals.ts turns it into the generic 401).
 */
export class TokenRejection extends Error {
  override name = 'TokenRejection'
  readonly code = 'ERR_TOKEN_REJECTED'
  /** The bounded reason the metrics count it under. */
  readonly reason: RejectionReason

  constructor (message: string, reason: RejectionReason) {
    super(message)
    this.reason = reason
  }
}

/** The token names a key that is not known, and the issuer's JWKS cannot be fetched right now. */
export class KeysUnavailable extends Error {
  override name = 'KeysUnavailable'
  readonly code = 'ERR_KEYS_UNAVAILABLE'
  /** When a fetch may be tried again: the answer's `Retry-After`. */
  readonly retryAfterSeconds: number

  constructor (message: string, retryAfterSeconds: number) {
    super(message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/**
 * With `SSF_OUTAGE=refuse`: the token's issuer has sent no signals for longer than the grace, so
 * whether it was revoked is unknown and the token is neither accepted nor refused for good.
 */
export class SignalsUnavailable extends Error {
  override name = 'SignalsUnavailable'
  readonly code = 'ERR_SIGNALS_UNAVAILABLE'
}

export type DpopRejectionReason = Extract<RejectionReason, `dpop_${string}`>

/**
 * Why a request's DPoP proof, or the binding of its token to a key, was refused: for the log line and
 * the metrics only (auth/refusals.ts answers with the generic challenge of its reason).
 */
export class DpopRejection extends Error {
  override name = 'DpopRejection'
  readonly code = 'ERR_DPOP_REJECTED'
  readonly reason: DpopRejectionReason

  constructor (message: string, reason: DpopRejectionReason) {
    super(message)
    this.reason = reason
  }
}
