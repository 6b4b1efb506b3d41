/**
 * Why a token was refused, as a fixed set: the log line keeps the detail, the metric label never
 * carries a token's own text (a crafted `kid` or `iss` must not mint a new series).
 */
export const REJECTION_REASONS = [
  'missing_token', 'malformed', 'header', 'typ', 'alg', 'untrusted_issuer', 'unknown_kid', 'unusable_key',
  'signature', 'expired', 'claims', 'audience', 'scope', 'other'
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
