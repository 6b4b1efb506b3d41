import type { FastifyError, FastifyInstance } from 'fastify'
import { authorizeRoute } from './authorize.js'
import { errorPage } from './authorization-replies.js'
import type { AuthorizationRoutesOptions } from './options.js'
import { resumeRoute } from './resume.js'

export type { AuthorizationRoutesOptions } from './options.js'

/**
 * The browser's side of the authorization code flow: `GET /authorize` (authorize.ts) and
 * `GET /authorize/resume` (resume.ts). Their parameters are in the query (RFC 6749 §3.1), so this
 * scope is outside the OAuth one, which refuses query strings. Whatever fails here ends on the
 * error page: a browser is at the other end, and no error may redirect to an unverified URI.
 */
export async function authorizationRoutes (app: FastifyInstance, options: AuthorizationRoutesOptions) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500
    if (status >= 500 && status !== 503) request.log.error({ err: error }, 'authorization request failed')
    else request.log.info({ reason: error.message }, 'authorization request refused')
    if (status === 503) return errorPage(reply, 'The service is busy. Try again in a moment.', 503)
    if (status >= 500) return errorPage(reply, 'Something went wrong on our side.', 500)
    return errorPage(reply, 'The sign-in request is malformed.', 400)
  })
  await app.register(authorizeRoute, options)
  await app.register(resumeRoute, options)
}
