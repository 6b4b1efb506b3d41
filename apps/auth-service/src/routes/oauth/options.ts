export interface OAuthRoutesOptions {
  issuer: string
  /** The `aud` of users' access tokens (the refresh grant). */
  audience: string
  /** The login's public client. */
  publicClientId: string
  /** Resource servers' tolerance for `nbf`, which introspection grants too (routes/oauth/introspection.ts). */
  clockToleranceSeconds: number
  now: () => number
}
