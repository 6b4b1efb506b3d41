/**
 * The message of the consumer's `GET /api/v1/protected` answer (apps/consumer-service
 * routes/api/protected.ts), which the bare route and every peer send too: the same bytes on the wire.
 */
export const PROTECTED_MESSAGE = 'Access granted: the token was verified against its issuer\'s JWKS'
