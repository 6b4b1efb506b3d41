import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { OAuthErrorSchema, TOKEN_PATH, type OAuthError } from '@repo/contracts/oauth'
import type { HttpError } from '../http-error.js'
import { grantTypeLabel } from '../plugins/metrics.js'
import { isOAuthError } from './oauth-errors.js'

/** The error answers both OAuth endpoints declare. */
export const OAUTH_ERROR_RESPONSES = {
  400: OAuthErrorSchema, 401: OAuthErrorSchema, 413: OAuthErrorSchema, 429: OAuthErrorSchema, 503: OAuthErrorSchema
}

type AnyError = FastifyError & Partial<Pick<HttpError, 'headers' | 'reason'>>

interface OAuthErrorAnswer {
  status: number
  body: OAuthError
  headers: Record<string, string>
}

/** RFC 6749 §5.2 bodies, never the service's usual error body. */
export function oauthErrorAnswer (error: AnyError): OAuthErrorAnswer {
  if (isOAuthError(error)) {
    const body = { error: error.code.toLowerCase() as OAuthError['error'], error_description: error.message }
    return { status: error.statusCode, body, headers: error.headers }
  }
  if (error.validation) {
    const body = { error: 'invalid_request', error_description: 'A parameter is malformed' } as const
    return { status: 400, body, headers: {} }
  }
  // The brute-force limits (rate-limits/): RFC 6749 has no code for it; RFC 6585 §4 and Retry-After say it.
  if (error.statusCode === 429) {
    const body = { error: 'temporarily_unavailable', error_description: 'Too many attempts, retry later' } as const
    return { status: 429, body, headers: error.headers ?? {} }
  }
  if (error.statusCode === 413) {
    const body = { error: 'invalid_request', error_description: 'The request body is too large' } as const
    return { status: 413, body, headers: {} }
  }
  // The database away (DatabaseUnavailableError) or no signing key: its Retry-After says when to try again.
  if (error.statusCode === 503) {
    const body = { error: 'temporarily_unavailable', error_description: 'Try again later' } as const
    return { status: 503, body, headers: error.headers ?? {} }
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: 400, body: { error: 'invalid_request', error_description: 'Malformed request' }, headers: {} }
  }
  return { status: 500, body: { error: 'temporarily_unavailable', error_description: 'Internal error' }, headers: {} }
}

/**
 * The error handler of the OAuth scope: answers with `oauthErrorAnswer`, logs why, and counts a
 * refused token request in `token_requests_total` by its error code (a granted one is counted by its grant).
 */
export function handleOAuthErrors (app: FastifyInstance): void {
  app.setErrorHandler((error: AnyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, headers } = oauthErrorAnswer(error)
    // A 503 is a known state (logged once per database outage), not a failure to investigate per request.
    if (status >= 500 && status !== 503) request.log.error({ err: error }, 'OAuth request failed')
    else request.log.info({ error: body.error, reason: error.reason ?? error.message }, 'OAuth request refused')
    if (request.routeOptions.url === TOKEN_PATH) {
      const grantType = (request.body as { grant_type?: unknown } | undefined)?.grant_type
      app.metrics.tokenRequests.inc({ grant_type: grantTypeLabel(grantType), outcome: body.error })
    }
    if (body.error === 'invalid_client') {
      request.log.info({ event: 'client_authentication_failed', ip: request.ip }, 'client authentication failed')
    }
    return reply.code(status).headers({ ...headers, 'cache-control': 'no-store' }).send(body)
  })
}
