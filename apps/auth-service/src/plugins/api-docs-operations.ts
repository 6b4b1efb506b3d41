import {
  AUTHORIZATION_PATH, AUTHORIZATION_RESUME_PATH, CONSENT_PATH, END_SESSION_PATH, LOGIN_PAGE_PATH, PAR_PATH,
  STYLESHEET_PATH
} from '@repo/contracts/authorization'
import { AUTHORIZATION_SERVER_METADATA_PATH, OPENID_CONFIGURATION_PATH } from '@repo/contracts/discovery'
import { USERINFO_PATH } from '@repo/contracts/authorization'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { LOGIN_PATH } from '@repo/contracts/login'
import { INTROSPECTION_PATH, REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'
import { HEALTH_TAG, healthOperations, type OperationDoc } from '@repo/service-kit/health-docs'
import { SSF_OPERATIONS, SSF_TAG } from './api-docs-ssf.js'

/** The groups of the /docs page, in the order it shows them. */
export const TAGS = [
  { name: 'Login', description: 'People log in with a user name and password.' },
  {
    name: 'OAuth 2.0',
    description: 'The authorization, pushed request, token, revocation and introspection endpoints (RFC 6749, ' +
      'RFC 9126, RFC 7009, RFC 7662): people log in through the browser (authorization code with PKCE); ' +
      'machines use client credentials.'
  },
  { name: 'OpenID Connect', description: 'Who the user behind an access token is.' },
  {
    name: 'Keys and discovery',
    description: 'Public documents: the signing keys and the metadata consumers discover them from.'
  },
  {
    name: 'Pages',
    description: 'HTML pages for people in a browser: the login page, the consent page and logout. Forms only ' +
      '(`application/x-www-form-urlencoded`), each with a CSRF token; errors are pages too.'
  },
  SSF_TAG,
  HEALTH_TAG
]

/**
 * What the /docs page says about each operation, by `METHOD path`, kept here rather than in the
 * route schemas: the routes say what they accept, this says what they are for. An operation missing
 * here has no tag and is left out of the document (`hideUntagged`): the CORS preflights and `/metrics`.
 */
export const OPERATIONS: Record<string, OperationDoc> = {
  [`POST ${LOGIN_PATH}`]: {
    tags: ['Login'],
    summary: 'Log a user in',
    description: 'Checks a user name and password and answers an access token for the consumer service, with a ' +
      'refresh token. Every bad credential is the same 401 `invalid_credentials`; failed logins are rate-limited ' +
      'per user name and client address (429 with `Retry-After`).'
  },
  [`GET ${AUTHORIZATION_PATH}`]: {
    tags: ['OAuth 2.0'],
    summary: 'Start a browser login (authorization code with PKCE)',
    description: 'A browser is sent here by a registered client: `response_type=code`, PKCE with ' +
      '`code_challenge_method=S256` (required), a registered `redirect_uri` (compared exactly), `state`, `scope`, ' +
      'OpenID Connect `nonce`, `prompt` and `max_age`, or a pushed `request_uri`. Answers 303 to the login or ' +
      'consent page, or to the redirect URI with `code`, `state` and `iss`; errors go there too once the redirect ' +
      'URI is verified, else to an HTML error page.'
  },
  [`GET ${AUTHORIZATION_RESUME_PATH}`]: {
    tags: ['OAuth 2.0'],
    summary: 'Continue a browser login after the login or consent page',
    description: 'Where the login and consent pages send the browser back (`interaction`, which must match the ' +
      'browser\'s interaction cookie). Answers as `GET /authorize` does.'
  },
  [`POST ${PAR_PATH}`]: {
    tags: ['OAuth 2.0'],
    summary: 'Push an authorization request (PAR)',
    description: 'RFC 9126: the client authenticates as at the token endpoint and posts the parameters of ' +
      '`GET /authorize`; answers 201 with a `request_uri`, usable once at the authorization endpoint within ' +
      '`expires_in` (60 s). Errors are RFC 6749 §5.2 bodies.'
  },
  [`POST ${TOKEN_PATH}`]: {
    tags: ['OAuth 2.0'],
    summary: 'Get an access token (authorization code, client credentials or refresh token)',
    description: 'The RFC 6749 token endpoint, form-encoded. `grant_type=authorization_code` exchanges a code ' +
      'once, within 60 s, with its `redirect_uri` and PKCE `code_verifier` (public clients by `client_id`); with ' +
      'the `openid` scope the answer has an `id_token`. `grant_type=client_credentials` for a registered ' +
      'client (Basic credentials, `client_secret_post` or a `private_key_jwt` assertion); `grant_type=refresh_token` ' +
      'rotates a refresh token: each use answers a new one; a used one presented again revokes its family, ' +
      'except a retry by its client within `REFRESH_TOKEN_REUSE_GRACE`, which gets the same new one. ' +
      'Errors are RFC 6749 §5.2 bodies; any query parameter is 400 `invalid_request`.'
  },
  [`POST ${REVOCATION_PATH}`]: {
    tags: ['OAuth 2.0'],
    summary: 'Revoke a refresh token (log out)',
    description: 'RFC 7009: revokes a refresh token and every token of its family. Answers 200 for an unknown ' +
      'token too, so a caller learns nothing about tokens it does not hold.'
  },
  [`POST ${INTROSPECTION_PATH}`]: {
    tags: ['OAuth 2.0'],
    summary: 'Introspect a token (is it active, what does it say)',
    description: 'RFC 7662, for confidential clients (authenticated as at the revocation endpoint; a public ' +
      'client is 401 `invalid_client`): `token` and an optional `token_type_hint`. A client sees the tokens it was ' +
      'issued, and the access tokens whose `aud` is its registered audience; anything else, and any token ' +
      'expired, revoked, of an ended session or unknown, is `{"active":false}` alone.'
  },
  ...Object.fromEntries(['GET', 'POST'].map((method) => [`${method} ${USERINFO_PATH}`, {
    tags: ['OpenID Connect'],
    summary: 'The user of an access token (UserInfo)',
    description: 'OpenID Connect UserInfo: `sub`, `preferred_username` and `role` of the user an access token ' +
      'of this issuer was issued for, as they are now. The token goes in the `Authorization: Bearer` header only, ' +
      'needs the `openid` scope (else 403 `insufficient_scope`), and may name any audience. Refusals carry an ' +
      'RFC 6750 `WWW-Authenticate` challenge.'
  }])),
  [`GET ${JWKS_PATH}`]: {
    tags: ['Keys and discovery'],
    summary: 'The public signing keys (JWKS)',
    description: 'Every key that signs, or will or did sign, tokens still alive, as a JSON Web Key Set ' +
      '(`application/jwk-set+json`), with `Cache-Control: max-age` and an `ETag` (304 on `If-None-Match`). ' +
      'Tokens name their key by `kid`.'
  },
  [`GET ${OPENID_CONFIGURATION_PATH}`]: {
    tags: ['Keys and discovery'],
    summary: 'OpenID discovery document',
    description: 'The issuer, its JWKS URL, endpoints, grants, client authentication methods, scopes and the ' +
      'algorithms of the published keys: how a consumer finds the keys from the issuer URL alone.'
  },
  [`GET ${AUTHORIZATION_SERVER_METADATA_PATH}`]: {
    tags: ['Keys and discovery'],
    summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
    description: 'The same metadata as the OpenID discovery document, at the RFC 8414 address.'
  },
  [`GET ${LOGIN_PAGE_PATH}`]: {
    tags: ['Pages'],
    summary: 'The login page of a pending authorization request',
    description: 'Reached from the authorization endpoint with `?interaction=`, which must match the browser\'s ' +
      'interaction cookie (403 otherwise; 400 once the request expired). Names the client and what it asks for.'
  },
  [`POST ${LOGIN_PAGE_PATH}`]: {
    tags: ['Pages'],
    summary: 'Log in on the login page',
    description: 'The login form: the same users, rate limits (429 with `Retry-After`) and audit events as ' +
      '`POST /api/v1/auth`. Wrong credentials answer the form again (401); a login sets the session cookie and ' +
      'answers 303 to the authorization request. Without its CSRF token: 403.'
  },
  [`GET ${CONSENT_PATH}`]: {
    tags: ['Pages'],
    summary: 'The consent page of a third-party client',
    description: 'What the client asks for, in words, with Allow and Deny. Without a session: 303 to the login page.'
  },
  [`POST ${CONSENT_PATH}`]: {
    tags: ['Pages'],
    summary: 'Allow or deny a third-party client',
    description: 'Allow records the consent, Deny does not; both answer 303 to the authorization request, which ' +
      'answers the client `access_denied` after a Deny. Without its CSRF token: 403.'
  },
  [`GET ${END_SESSION_PATH}`]: {
    tags: ['Pages'],
    summary: 'RP-initiated logout (end_session_endpoint)',
    description: 'OpenID Connect RP-Initiated Logout: ends the browser\'s session and revokes its refresh tokens. ' +
      'Without an `id_token_hint` about the signed-in user it asks to confirm first. Goes back to ' +
      '`post_logout_redirect_uri` (with `state`) only when it is registered for the client.'
  },
  [`POST ${END_SESSION_PATH}`]: {
    tags: ['Pages'],
    summary: 'RP-initiated logout, or its confirmation',
    description: 'The same parameters in a form; with `confirm=yes` it is the confirmation form, which needs its ' +
      'CSRF token (403 without).'
  },
  [`GET ${STYLESHEET_PATH}`]: {
    tags: ['Pages'],
    summary: 'The pages\' stylesheet',
    description: 'The one stylesheet of the login, consent and logout pages.'
  },
  ...SSF_OPERATIONS,
  ...healthOperations('Answers 200 once a signing key is loaded and the database is reachable; else 503 with a ' +
    '`reason`, so a load balancer stops sending logins here.')
}
