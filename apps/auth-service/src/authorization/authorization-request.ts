import { parseScope } from '@repo/contracts/scopes'
import type { Client } from '../clients/client-store.js'
import type { AuthorizationParameters } from './authorization-parameters.js'
import type { AuthorizationErrorCode, AuthorizationErrorResponse } from './authorization-response.js'
import { isRegisteredRedirectUri } from './redirect-uri.js'
import { requestedResources, resourcesOf, unknownResource } from './resource-indicators.js'

/** The parameters of a request as received: a name given twice keeps every value. */
export type RawParameters = Record<string, string | string[] | undefined>

/** Why a request is refused. `redirect` when its redirect URI is verified and the error can go there. */
export type AuthorizationRefusal =
  | { redirect: false, description: string }
  | ({ redirect: true } & AuthorizationErrorResponse)

export type AuthorizationValidation =
  | { ok: true, parameters: AuthorizationParameters }
  | { ok: false, refusal: AuthorizationRefusal }

/** RFC 7636 §4.2: BASE64URL(SHA-256(verifier)) is 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/
/** RFC 9449 §10: `dpop_jkt` is a JWK SHA-256 thumbprint (RFC 7638), 43 base64url characters. */
const JWK_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/
/** Longer `state` or `nonce` values are refused, not echoed. */
const MAX_VALUE_LENGTH = 1000
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account'])

/** Parameters that may be sent more than once: RFC 8707 §2 `resource`. */
const REPEATABLE = new Set(['resource'])

/** The one value of `name`, `undefined` when absent or empty (RFC 6749 §3.1), `null` when sent twice. */
function single (raw: RawParameters, name: string): string | undefined | null {
  const value = raw[name]
  if (Array.isArray(value)) return value.length === 1 ? value[0] || undefined : null
  return value === '' ? undefined : value
}

/** The client's redirect URI for this request, or why none can be trusted (an error page, never a redirect). */
function verifiedRedirectUri (raw: RawParameters, client: Client): { uri: string } | { problem: string } {
  const given = single(raw, 'redirect_uri')
  if (given === null) return { problem: 'The redirect_uri parameter is given more than once.' }
  if (given === undefined) {
    const [only, ...others] = client.redirectUris
    if (only !== undefined && others.length === 0) return { uri: only }
    return { problem: 'The redirect_uri parameter is missing.' }
  }
  if (!isRegisteredRedirectUri(client.redirectUris, given)) {
    return { problem: 'The redirect_uri is not one registered for this application.' }
  }
  return { uri: given }
}

/**
 * The scope asked for, narrowed to what the client may have (its registered scope, and `openid`):
 * unknown or disallowed parts are dropped (RFC 6749 §3.3); nothing asked for means the client's
 * whole scope. Undefined when nothing is left.
 */
export function narrowScope (requested: string | undefined, client: Client): string | undefined {
  if (requested === undefined) return client.scope
  const allowed = new Set([...parseScope(client.scope), 'openid'])
  const kept = [...new Set(parseScope(requested))].filter((scope) => allowed.has(scope))
  return kept.length === 0 ? undefined : kept.join(' ')
}

/**
 * Checks an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1) of `client`
 * (already found by its `client_id`). First the redirect URI, whose failures go to an error page;
 * then everything else, whose failures go to that redirect URI.
 */
export function validateAuthorizationRequest (raw: RawParameters, client: Client): AuthorizationValidation {
  const redirect = verifiedRedirectUri(raw, client)
  if ('problem' in redirect) return { ok: false, refusal: { redirect: false, description: redirect.problem } }
  const state = single(raw, 'state')
  const refuse = (error: AuthorizationErrorCode, description: string): AuthorizationValidation => ({
    ok: false,
    refusal: { redirect: true, redirectUri: redirect.uri, state: state ?? undefined, error, description }
  })
  if (state === null || (state !== undefined && state.length > MAX_VALUE_LENGTH)) {
    return refuse('invalid_request', 'state is sent more than once, or is too long')
  }
  const repeated = Object.keys(raw).find((name) => !REPEATABLE.has(name) && single(raw, name) === null)
  if (repeated !== undefined) return refuse('invalid_request', `${repeated.slice(0, 40)} is sent more than once`)
  const value = (name: string) => single(raw, name) ?? undefined

  if (!client.grantTypes.includes('authorization_code')) {
    return refuse('unauthorized_client', 'This client may not use the authorization code flow')
  }
  const responseType = value('response_type')
  if (responseType === undefined) return refuse('invalid_request', 'response_type is required')
  if (responseType !== 'code') return refuse('unsupported_response_type', 'Only response_type=code is supported')
  const responseMode = value('response_mode')
  if (responseMode !== undefined && responseMode !== 'query') {
    return refuse('invalid_request', 'Only response_mode=query is supported')
  }

  const codeChallenge = value('code_challenge')
  if (codeChallenge === undefined) return refuse('invalid_request', 'PKCE is required: send code_challenge')
  if (value('code_challenge_method') !== 'S256') {
    return refuse('invalid_request', 'code_challenge_method must be S256')
  }
  if (!S256_CHALLENGE.test(codeChallenge)) {
    return refuse('invalid_request', 'code_challenge must be 43 base64url characters')
  }

  const scope = narrowScope(value('scope'), client)
  if (scope === undefined) return refuse('invalid_scope', 'None of the requested scopes is allowed for this client')
  // RFC 8707 §2: each resource named must be one the client may ask for; absent, nothing changes.
  const resources = requestedResources(raw.resource)
  if (unknownResource(resources, resourcesOf(client, client.audience)) !== undefined) {
    return refuse('invalid_target', 'A resource is not one this client may ask tokens for')
  }

  const nonce = value('nonce')
  if (nonce !== undefined && nonce.length > MAX_VALUE_LENGTH) return refuse('invalid_request', 'nonce is too long')
  const prompt = parseScope(value('prompt') ?? '')
  if (prompt.some((word) => !PROMPTS.has(word))) return refuse('invalid_request', 'Unknown prompt value')
  if (prompt.includes('none') && prompt.length > 1) {
    return refuse('invalid_request', 'prompt=none cannot be combined with other values')
  }
  const maxAgeText = value('max_age')
  if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText)) {
    return refuse('invalid_request', 'max_age must be a number of seconds')
  }
  const maxAge = maxAgeText === undefined ? undefined : Number(maxAgeText)
  const dpopJkt = value('dpop_jkt')
  if (dpopJkt !== undefined && !JWK_THUMBPRINT.test(dpopJkt)) {
    return refuse('invalid_request', 'dpop_jkt must be a JWK SHA-256 thumbprint: 43 base64url characters')
  }

  return {
    ok: true,
    parameters: {
      clientId: client.clientId,
      redirectUri: redirect.uri,
      scope,
      state,
      nonce,
      codeChallenge,
      prompt,
      maxAge,
      ...dpopJkt === undefined ? {} : { dpopJkt },
      ...resources.length === 0 ? {} : { resources }
    }
  }
}
