import { parseScope } from '@repo/contracts/scopes'
import { InvalidScopeError } from './oauth-errors.js'

/**
 * The scope granted for a request (RFC 6749 §3.3): what was asked for, if every part of it is
 * allowed; everything allowed when nothing was asked for.
 */
export function grantScope (requested: string | undefined, allowed: string): string {
  if (requested === undefined) return allowed
  const allowedScopes = new Set(parseScope(allowed))
  const asked = [...new Set(parseScope(requested))]
  const refused = asked.filter((scope) => !allowedScopes.has(scope))
  if (asked.length === 0 || refused.length > 0) {
    throw new InvalidScopeError({ reason: `scope refused: ${refused.join(' ') || '(empty)'}` })
  }
  return asked.join(' ')
}
