import type { FastifyInstance } from 'fastify'
import { invalidRequest } from './oauth-errors.js'

/** Whether `url` carries at least one query parameter (a bare `?` or `?&` carries none). */
export function hasQueryParameters (url: string): boolean {
  const start = url.indexOf('?')
  if (start === -1) return false
  return url.slice(start + 1).split('&').some((segment) => segment !== '')
}

/**
 * Refuses, with 400 `invalid_request`, a request to this scope whose URL carries any query
 * parameter: credentials and tokens must not be sent in the query (OAuth 2.1 §3.2.2), where proxies
 * and access logs keep them. It runs first, before the body is read or any secret checked.
 *
 * Any parameter, not only the endpoint's own: RFC 6749 §3.2 lets an endpoint URI carry a query of
 * its own, which clients must keep, but this service publishes its token and revocation endpoints
 * without one (the issuer plus a path; RFC 8414 §2 forbids a query in the issuer). So every query
 * parameter is one a client added, and refusing them all also catches a secret sent under a name
 * the endpoint does not know (`password`, `assertion`, a misspelling), which an allow-list would
 * accept and silently ignore.
 */
export function refuseQueryParameters (app: FastifyInstance): void {
  // A callback hook: an async one costs a promise per request, for nothing to wait on.
  app.addHook('onRequest', (request, reply, done) => {
    if (!hasQueryParameters(request.url)) {
      done()
      return
    }
    done(invalidRequest('Parameters must be sent in the request body, not in the URL',
      'parameters in the query string'))
  })
}
