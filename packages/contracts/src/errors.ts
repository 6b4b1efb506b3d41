import Type, { type Static } from 'typebox'

/**
 * Stable error codes. Clients branch on `code`, never on `message`.
 * The OAuth ones (`invalid_request`, `invalid_token`, `insufficient_scope`) match RFC 6750 §3.1;
 * `missing_token` is a request that carried no bearer token at all (RFC 6750 §3.1 gives that no code).
 * `too_many_requests` is a 429 (RFC 6585 §4): its `Retry-After` header says when to try again.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_credentials',
  'missing_token',
  'invalid_token',
  'insufficient_scope',
  'not_found',
  'method_not_allowed',
  'unsupported_media_type',
  'payload_too_large',
  'too_many_requests',
  'temporarily_unavailable',
  'internal_error'
] as const
export type ErrorCode = typeof ERROR_CODES[number]

/** Body of every error response of both services. */
export const ErrorBodySchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.Enum(ERROR_CODES),
  error: Type.String(),
  message: Type.String()
})
export type ErrorBody = Static<typeof ErrorBodySchema>
