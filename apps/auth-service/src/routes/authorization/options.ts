export interface AuthorizationRoutesOptions {
  /** `iss` of every authorization response (RFC 9207). */
  issuer: string
  now: () => number
}
