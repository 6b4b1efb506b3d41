import type { OAuthErrorCode } from '@repo/contracts/oauth'

/**
 * An RFC 6749 §5.2 error of the token or revocation endpoint. Its body is `{ error,
 * error_description }`, not the service's usual error body: OAuth clients parse exactly that.
 */
export class OAuthFailure extends Error {
  override name = 'OAuthFailure'
  readonly error: OAuthErrorCode
  readonly statusCode: number
  readonly headers: Record<string, string>
  /** Why, for the log: more precise than what the client is told. */
  readonly reason: string

  constructor (error: OAuthErrorCode, description: string, { statusCode = 400, headers = {}, reason = description }: { statusCode?: number, headers?: Record<string, string>, reason?: string } = {}) {
    super(description)
    this.error = error
    this.statusCode = statusCode
    this.headers = headers
    this.reason = reason
  }
}

/**
 * `invalid_client`: 401 (RFC 6749 §5.2). With the `Basic` challenge when the client tried the
 * Authorization header or nothing at all; a client that authenticated in the body
 * (`client_secret_post`, `private_key_jwt`) gets no challenge for a scheme it does not use
 * (openid-client, for one, reads the challenge instead of the error body). One description for
 * every cause: which part was wrong is for the log only.
 */
export function invalidClient (reason: string, { challenge = true }: { challenge?: boolean } = {}): OAuthFailure {
  return new OAuthFailure('invalid_client', 'Client authentication failed', {
    statusCode: 401,
    headers: challenge ? { 'www-authenticate': 'Basic realm="token"' } : {},
    reason
  })
}
