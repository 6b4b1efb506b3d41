import { AUTHORIZATION_SERVER_METADATA_PATH, OPENID_CONFIGURATION_PATH } from '@repo/contracts/discovery'
import { USERINFO_PATH } from '@repo/contracts/authorization'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { LOGIN_PATH } from '@repo/contracts/login'
import { REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'
import { HEALTH_TAG, healthOperations, type OperationDoc } from '@repo/service-kit/health-docs'

/** The groups of the /docs page, in the order it shows them. */
export const TAGS = [
  { name: 'Login', description: 'People log in with a user name and password.' },
  {
    name: 'OAuth 2.0',
    description: 'The token and revocation endpoints (RFC 6749, RFC 7009), for machine clients and refresh tokens.'
  },
  { name: 'OpenID Connect', description: 'Who the user behind an access token is.' },
  {
    name: 'Keys and discovery',
    description: 'Public documents: the signing keys and the metadata consumers discover them from.'
  },
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
  [`POST ${TOKEN_PATH}`]: {
    tags: ['OAuth 2.0'],
    summary: 'Get an access token (client credentials or refresh token)',
    description: 'The RFC 6749 token endpoint, form-encoded. `grant_type=client_credentials` for a registered ' +
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
  ...healthOperations('Answers 200 once a signing key is loaded and the database is reachable; else 503 with a ' +
    '`reason`, so a load balancer stops sending logins here.')
}
