/**
 * A validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1): what the
 * authorization endpoint checked, kept while the user logs in or consents, or pushed ahead (RFC 9126).
 */
export interface AuthorizationParameters {
  clientId: string
  /** One of the client's registered redirect URIs, exactly as the request gave it. */
  redirectUri: string
  /** The granted scope: the requested one narrowed to the client's. */
  scope: string
  /** Returned unchanged with the response. */
  state: string | undefined
  /** OIDC: echoed in the ID token. */
  nonce: string | undefined
  /** PKCE `S256` challenge (RFC 7636 §4.2): the only method accepted. */
  codeChallenge: string
  /** OIDC `prompt` values (`none`, `login`, `consent`), as given. */
  prompt: string[]
  /** OIDC `max_age`, seconds: an older login must be repeated. */
  maxAge: number | undefined
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to (absent in requests stored before). */
  dpopJkt?: string | undefined
  /**
   * RFC 8707: the resources the request named, each one the client may ask for (absent: none named,
   * and in requests stored before). The code keeps them; its token request may only narrow to one.
   */
  resources?: string[] | undefined
}
