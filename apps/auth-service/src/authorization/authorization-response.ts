/** An error code of an authorization response (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
export type AuthorizationErrorCode =
  | 'invalid_request' | 'unauthorized_client' | 'access_denied' | 'unsupported_response_type'
  | 'invalid_scope' | 'login_required' | 'consent_required'
  /** RFC 8707 §2: a `resource` the client may not ask for. */
  | 'invalid_target'

/**
 * The URL an authorization response redirects to: the verified redirect URI with `parameters`
 * appended to whatever query it already has (RFC 6749 §3.1.2), `state` unchanged, and `iss`
 * (RFC 9207), which tells the client which server answered (mix-up attacks).
 */
export function authorizationResponseUrl (
  redirectUri: string, parameters: Record<string, string | undefined>, issuer: string
): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) url.searchParams.append(name, value)
  }
  url.searchParams.append('iss', issuer)
  return url.href
}

/** An error response to a verified redirect URI. */
export interface AuthorizationErrorResponse {
  redirectUri: string
  state: string | undefined
  error: AuthorizationErrorCode
  description: string
}

export const errorResponseUrl = (response: AuthorizationErrorResponse, issuer: string): string =>
  authorizationResponseUrl(response.redirectUri,
    { error: response.error, error_description: response.description, state: response.state }, issuer)
