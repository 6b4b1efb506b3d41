import type { SigningAlgorithm } from '@repo/contracts/access-token'

/**
 * The rules every peer checks as the consumer does by default, beside the issuer and audience the
 * bench gives them (peer-env.ts): the allowed algorithms and `exp`, with the consumer's default clock
 * tolerance (CLOCK_TOLERANCE 5s). The consumer checks more (typ, the header members, the RFC 9068
 * claims); these are the rules that decide whether a token is let in.
 */
export const ALLOWED_ALGS: SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA']
export const CLOCK_TOLERANCE_SECONDS = 5

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken (authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined
}
