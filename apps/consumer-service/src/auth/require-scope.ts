import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { parseScope, type Scope } from '@repo/contracts/scopes'
import { insufficientScope } from './refusals.js'

/** Each hook `requireScope` made, with its scope: how the resource metadata learns the routes' scopes. */
const requiredScopes = new WeakMap<object, Scope>()

/**
 * A preHandler for a route inside the authenticated scope: 403 `insufficient_scope` (RFC 6750 §3.1)
 * unless the verified token's `scope` lists `scope`. Authorization is by scope only.
 */
export function requireScope (scope: Scope): preHandlerAsyncHookHandler {
  const checkScope = async function checkScope (this: FastifyInstance, request: FastifyRequest) {
    if (parseScope(request.user.scope ?? '').includes(scope)) return
    this.metrics.jwtVerifications.inc({ outcome: 'rejected', reason: 'scope' })
    request.log.info({ reason: `scope ${scope} missing`, sub: request.user.sub }, 'access denied')
    throw insufficientScope(this.challenges, request, scope, request.tokenScheme)
  }
  requiredScopes.set(checkScope, scope)
  return checkScope
}

/** The scope a hook made by `requireScope` requires; undefined for any other hook. */
export function requiredScopeOf (hook: unknown): Scope | undefined {
  return typeof hook === 'function' ? requiredScopes.get(hook) : undefined
}
