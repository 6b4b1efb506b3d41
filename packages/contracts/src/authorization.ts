import Type, { type Static } from 'typebox'

/**
 * Paths of the auth service's browser-facing endpoints, relative to the issuer: where people log in
 * (authorization code with PKCE, RFC 6749 §4.1 and RFC 7636), and the OpenID Connect endpoints.
 */

/** The authorization endpoint (RFC 6749 §3.1): `GET` with the request in the query. */
export const AUTHORIZATION_PATH = '/authorize'

/**
 * Where an authorization request continues after the login or consent page: the pending request's id
 * in the query (`interaction`), the browser's session in its cookie.
 */
export const AUTHORIZATION_RESUME_PATH = '/authorize/resume'

/** The pushed authorization request endpoint (RFC 9126 §2). */
export const PAR_PATH = '/par'

/** `request_uri` prefix of a pushed request (RFC 9126 §2.2). */
export const PAR_REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:'

/** The login page: `GET` shows the form of a pending request (`?interaction=`), `POST` submits it. */
export const LOGIN_PAGE_PATH = '/login'

/** The consent page of a third-party client: `GET` shows what it asks for, `POST` answers. */
export const CONSENT_PATH = '/consent'

/** The OpenID Connect UserInfo endpoint (OIDC Core §5.3). */
export const USERINFO_PATH = '/userinfo'

/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): `end_session_endpoint`. */
export const END_SESSION_PATH = '/logout'

/** The login and consent pages' one stylesheet. */
export const STYLESHEET_PATH = '/assets/pages.css'

/** How long a pushed request's `request_uri` is valid, seconds (RFC 9126 §2.2 `expires_in`). */
export const PAR_LIFETIME_SECONDS = 60

/** A pushed authorization request's answer (RFC 9126 §2.2). */
export const PushedAuthorizationResponseSchema = Type.Object({
  request_uri: Type.String(),
  expires_in: Type.Integer({ minimum: 1 })
})
export type PushedAuthorizationResponse = Static<typeof PushedAuthorizationResponseSchema>
