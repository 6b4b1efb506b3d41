import { expect } from 'vitest'
import type { NewClient } from '../../../src/clients/client-store.js'
import type { AuthorizationParameters } from '../../../src/authorization/authorization-parameters.js'
import { INTERACTION_LIFETIME_MS } from '../../../src/sessions/browser-cookies.js'
import type { buildTestApp } from '../../helper.js'

export type TestApp = Awaited<ReturnType<typeof buildTestApp>>

export const WEB_APP: NewClient = {
  clientId: 'web-app',
  authMethod: 'none',
  jwks: undefined,
  jwksUri: undefined,
  scope: 'openid reports:read reports:write',
  audience: 'consumer-service',
  grantTypes: ['authorization_code', 'refresh_token'],
  clientName: 'Report Viewer',
  redirectUris: ['https://app.example/callback'],
  postLogoutRedirectUris: ['https://app.example/signed-out']
}

export const PARAMETERS: AuthorizationParameters = {
  clientId: 'web-app',
  redirectUri: 'https://app.example/callback',
  scope: 'openid reports:read reports:write',
  state: 'st-1',
  nonce: 'n-1',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGcSstw-cM',
  prompt: [],
  maxAge: undefined
}

/** A pending request as /authorize leaves it for the login page: its id, and the browser's interaction cookie. */
export async function startInteraction (app: TestApp, at: number, parameters: Partial<AuthorizationParameters> = {}) {
  const interaction = await app.pendingAuthorizations.create(
    { ...PARAMETERS, ...parameters }, { pushed: false, lifetimeMs: INTERACTION_LIFETIME_MS }, at)
  return { interaction, cookies: { [app.browserCookies.interaction.name]: interaction } }
}

/** The cookies a response sets, by name (values only). */
export function cookiesSet (response: { cookies: Array<{ name: string, value: string }> }): Record<string, string> {
  return Object.fromEntries(response.cookies.map(({ name, value }) => [name, value]))
}

/** The CSRF token of the form in `html`. */
export function csrfTokenIn (html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  expect(token, 'the form has a CSRF token').toBeDefined()
  return token as string
}

/** A urlencoded form body and its content type. */
export const form = (fields: Record<string, string | undefined>) => ({
  payload: new URLSearchParams(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' }
})

/** A session for `userName`, as a login leaves it: the session, and the browser's session cookie. */
export async function signedIn (app: TestApp, userName: string, at: number) {
  const user = await app.users.find(userName)
  if (!user) throw new Error(`no user ${userName}`)
  const { handle, session } = await app.sessions.create(user.id, at)
  return { user, session, cookies: { [app.browserCookies.session.name]: handle } }
}
