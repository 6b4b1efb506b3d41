import { createHttpError, type HttpError } from '../http-error.js'

/*
 * The RFC 6749 §5.2 errors of the token and revocation endpoints. Their body is `{ error,
 * error_description }` (oauth-error-handler.ts), not the service's usual error body: OAuth clients
 * parse exactly that. The message is the `error_description`; `reason` says more, for the log only.
 */

/** A message of its own at each place it is thrown: `new InvalidRequestError({ message })`. */
export const InvalidRequestError = createHttpError('invalid_request', '%s', 400)
export const InvalidClientError = createHttpError('invalid_client', 'Client authentication failed', 401)
export const InvalidGrantError = createHttpError('invalid_grant', 'The refresh token is invalid', 400)
export const UnauthorizedClientError =
  createHttpError('unauthorized_client', 'This client may not use client_credentials', 400)
export const UnsupportedGrantTypeError =
  createHttpError('unsupported_grant_type', 'This grant type is not supported', 400)
export const InvalidScopeError =
  createHttpError('invalid_scope', 'The requested scope is not allowed for this client', 400)
export const InvalidAuthorizationCodeError =
  createHttpError('invalid_grant', 'The authorization code is invalid', 400)
export const CodeFlowUnauthorizedError =
  createHttpError('unauthorized_client', 'This client may not use the authorization code flow', 400)
/** The pushed authorization request endpoint's (RFC 9126 §2.3), with a message of its own. */
export const UnsupportedResponseTypeError = createHttpError('unsupported_response_type', '%s', 400)
export const InvalidScopeMessageError = createHttpError('invalid_scope', '%s', 400)
/** RFC 8707 §2: a `resource` the client is not registered for, or more than one for a token. */
export const InvalidTargetError = createHttpError('invalid_target', '%s', 400)
/**
 * DPoP at the token endpoint (RFC 9449 §5.10): a proof that fails a check (which one is for the log
 * only), or none from a client registered with `--require-dpop`. `use_dpop_nonce` (§8): the proof
 * lacks the current server nonce, which the answer's `DPoP-Nonce` header gives.
 */
export const InvalidDpopProofError = createHttpError('invalid_dpop_proof', '%s', 400)
export const UseDpopNonceError =
  createHttpError('use_dpop_nonce', 'Authorization server requires nonce in DPoP proof', 400)

const OAUTH_ERRORS = [
  InvalidRequestError, InvalidClientError, InvalidGrantError, UnauthorizedClientError, UnsupportedGrantTypeError,
  InvalidScopeError, InvalidAuthorizationCodeError, CodeFlowUnauthorizedError, UnsupportedResponseTypeError,
  InvalidScopeMessageError, InvalidDpopProofError, UseDpopNonceError,
  InvalidTargetError
]

/** Whether `error` is one of the errors above: answered with its own code and description. */
export function isOAuthError (error: unknown): error is HttpError {
  return OAUTH_ERRORS.some((OAuthError) => error instanceof OAuthError)
}

/** `invalid_dpop_proof` with one description for every failed check: `reason` says which, in the log. */
export const invalidDpopProof = (reason: string) =>
  new InvalidDpopProofError({ message: 'The DPoP proof is invalid', reason })

/** `invalid_request` with `message` as its description. */
export const invalidRequest = (message: string, reason?: string) => new InvalidRequestError({ message, reason })

/**
 * `invalid_client`: 401 (RFC 6749 §5.2). With the `Basic` challenge when the client tried the
 * Authorization header or nothing at all; a client that authenticated in the body
 * (`client_secret_post`, `private_key_jwt`) gets no challenge for a scheme it does not use
 * (openid-client, for one, reads the challenge instead of the error body). One description for
 * every cause: which part was wrong is for the log only.
 */
export function invalidClient (reason: string, { challenge = true }: { challenge?: boolean } = {}) {
  return new InvalidClientError({ headers: challenge ? { 'www-authenticate': 'Basic realm="token"' } : {}, reason })
}
