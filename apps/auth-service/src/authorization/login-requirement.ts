import { ROLE_SCOPES, parseScope, type Role } from '@repo/contracts/scopes'
import type { BrowserSession } from '../sessions/session-store.js'
import type { AuthorizationParameters } from './authorization-parameters.js'

/**
 * Whether `session`'s login is good enough for `parameters` (OIDC Core §3.1.2.1): `prompt=login`
 * wants a login made for this request, `max_age` one at most that old. `pendingSince` is when the
 * request was kept waiting for the login page: a login after it was made for this request.
 */
export function loginSatisfies (
  session: BrowserSession, parameters: Pick<AuthorizationParameters, 'prompt' | 'maxAge'>, now: number,
  pendingSince?: number
): boolean {
  const loggedInForThisRequest = pendingSince !== undefined && session.authTime >= pendingSince
  if (loggedInForThisRequest) return true
  if (parameters.prompt.includes('login')) return false
  return parameters.maxAge === undefined || now - session.authTime <= parameters.maxAge * 1000
}

/** The request's scope narrowed to what the user's role allows (and `openid`); undefined when nothing is left. */
export function userScope (scope: string, role: Role): string | undefined {
  const allowed = new Set<string>([...ROLE_SCOPES[role], 'openid'])
  const kept = parseScope(scope).filter((part) => allowed.has(part))
  return kept.length === 0 ? undefined : kept.join(' ')
}
