/**
 * How both services refuse a bearer access token (RFC 6750 §3): the `WWW-Authenticate` challenge and
 * the descriptions they send, which are generic on purpose (the precise reason goes to the log only).
 */

/** The `error_description` (and body `message`) of each refusal. */
export const BEARER_MESSAGES = {
  missing: 'A bearer access token is required',
  malformed: 'The Authorization header must be: Bearer <token>',
  invalid: 'The access token is invalid',
  expired: 'The access token expired',
  insufficientScope: 'The access token lacks the required scope',
  /** The token's issuer said (Shared Signals) that its session, user or client was revoked after it was issued. */
  revoked: 'The access token was revoked'
} as const

/** The `WWW-Authenticate` value; attribute values may not hold `"` or `\` (§3), so they are dropped. */
export function bearerChallenge (realm: string, attributes: Record<string, string> = {}): string {
  const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`
  const params = [`realm=${quote(realm)}`]
  for (const [name, value] of Object.entries(attributes)) params.push(`${name}=${quote(value)}`)
  return `Bearer ${params.join(', ')}`
}

/** The `error_description` (and body `message`) of the refusals only a DPoP request gets. */
export const DPOP_MESSAGES = {
  malformed: 'The Authorization header must be: DPoP <token>',
  invalidProof: 'The DPoP proof is invalid'
} as const

/**
 * The `WWW-Authenticate` value of a DPoP refusal (RFC 9449 §7.1): the proof algorithms accepted, then
 * `error` and `error_description` when there are any; quoted as `bearerChallenge` quotes.
 */
export function dpopChallenge (algs: readonly string[], attributes: Record<string, string> = {}): string {
  const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`
  const params = [`algs=${quote(algs.join(' '))}`]
  for (const [name, value] of Object.entries(attributes)) params.push(`${name}=${quote(value)}`)
  return `DPoP ${params.join(', ')}`
}
