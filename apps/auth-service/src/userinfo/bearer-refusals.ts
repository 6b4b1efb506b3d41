import { BEARER_MESSAGES, bearerChallenge } from '@repo/contracts/bearer'
import { createHttpError } from '../http-error.js'

/*
 * The UserInfo endpoint's refusals, as RFC 6750 §3 answers: each carries a `WWW-Authenticate`
 * challenge, the body is the service's usual error body with the same code. Descriptions are
 * generic; the precise reason goes to the log only.
 *
 * - 401 with a bare challenge: no bearer token at all (§3.1 gives that no error code);
 * - 400 `invalid_request`: a malformed Authorization header, or the token sent another way (§2);
 * - 401 `invalid_token`: any token not accepted, or whose user no longer exists; "expired" is said;
 * - 403 `insufficient_scope`: a valid token without `openid`.
 */

const { malformed: MALFORMED, invalid: INVALID, expired: EXPIRED, insufficientScope: NO_SCOPE } = BEARER_MESSAGES
const NOT_IN_HEADER = 'The access token must be sent in the Authorization header, and only there'

const MissingToken = createHttpError('missing_token', BEARER_MESSAGES.missing, 401)
const InvalidRequest = createHttpError('invalid_request', '%s', 400)
const InvalidToken = createHttpError('invalid_token', '%s', 401)
const InsufficientScope = createHttpError('insufficient_scope', NO_SCOPE, 403)

export interface BearerRefusals {
  missingToken: (reason: string) => Error
  malformedHeader: (reason: string) => Error
  notInHeader: (reason: string) => Error
  invalidRequest: (message: string, reason: string) => Error
  invalidToken: (reason: string, expired?: boolean) => Error
  insufficientScope: (scope: string, reason: string) => Error
}

/** Every refusal with `realm` in its challenge (the issuer: whose tokens are meant). */
export function bearerRefusals (realm: string): BearerRefusals {
  const headers = (attributes?: Record<string, string>) =>
    ({ 'www-authenticate': bearerChallenge(realm, attributes), 'cache-control': 'no-store' })
  const error = (code: string, message: string, more: Record<string, string> = {}) =>
    headers({ error: code, error_description: message, ...more })

  return {
    missingToken: (reason) => new MissingToken({ headers: headers(), reason }),
    malformedHeader: (reason) =>
      new InvalidRequest({ message: MALFORMED, headers: error('invalid_request', MALFORMED), reason }),
    notInHeader: (reason) =>
      new InvalidRequest({ message: NOT_IN_HEADER, headers: error('invalid_request', NOT_IN_HEADER), reason }),
    invalidRequest: (message, reason) =>
      new InvalidRequest({ message, headers: error('invalid_request', message), reason }),
    invalidToken (reason, expired = false) {
      const message = expired ? EXPIRED : INVALID
      return new InvalidToken({ message, headers: error('invalid_token', message), reason })
    },
    insufficientScope: (scope, reason) =>
      new InsufficientScope({ headers: error('insufficient_scope', NO_SCOPE, { scope }), reason })
  }
}
