export interface OAuthRoutesOptions {
  issuer: string
  /** The `aud` of users' access tokens (the refresh grant). */
  audience: string
  /** The login's public client. */
  publicClientId: string
  now: () => number
}
