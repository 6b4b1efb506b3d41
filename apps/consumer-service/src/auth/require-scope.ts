import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { parseScope, type Scope } from '@repo/contracts/scopes'
import { insufficientScope } from './refusals.js'

/**
 * A preHandler for a route inside the authenticated scope: 403 `insufficient_scope` (RFC 6750 §3.1)
 * unless the verified token's `scope` lists `scope`. Authorization is by scope only.
 */
export function requireScope (scope: Scope): preHandlerAsyncHookHandler {
  return async function checkScope (this: FastifyInstance, request: FastifyRequest) {
    if (parseScope(request.user.scope ?? '').includes(scope)) return
    this.metrics.jwtVerifications.inc({ outcome: 'rejected', reason: 'scope' })
    request.log.info({ reason: `scope ${scope} missing`, sub: request.user.sub }, 'access denied')
    throw insufficientScope(this.bearerRealm, scope, request.tokenScheme)
  }
}
