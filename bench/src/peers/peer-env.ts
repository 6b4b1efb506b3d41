import type { SigningAlgorithm } from '@repo/contracts/access-token'

/**
 * What every peer server is told by the bench, and the rules they all check as the consumer does
 * by default: the issuer (exact `iss`), the audience, the allowed algorithms and `exp`, with the
 * consumer's default clock tolerance (CLOCK_TOLERANCE 5s). The consumer checks more (typ, the
 * header members, the RFC 9068 claims); these are the rules that decide whether a token is let in.
 */
export const PORT = Number(process.env.PORT)
export const ISSUER = process.env.ISSUER ?? ''
if (!ISSUER) throw new Error('ISSUER is required')
export const AUDIENCE = process.env.AUDIENCE ?? 'consumer-service'
export const LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn'
export const ALLOWED_ALGS: SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA']
export const CLOCK_TOLERANCE_SECONDS = 5
export const JWKS_URL = new URL('/.well-known/jwks.json', ISSUER)

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken (authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined
}
