import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { AUTHORIZATION_PATH } from '@repo/contracts/authorization'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import type { NewClient } from '../../src/clients/client-store.js'
import { AUDIENCE, ISSUER, type buildTestApp } from '../helper.js'

export type App = Awaited<ReturnType<typeof buildTestApp>>

export const REDIRECT_URI = 'https://app.example/callback'

/** A public browser client allowed the code flow (what `clients add --public --redirect-uri` registers). */
export async function addBrowserClient (app: App, clientId: string, overrides: Partial<NewClient> = {}) {
  return app.clients.add({
    clientId,
    authMethod: 'none',
    jwks: undefined,
    jwksUri: undefined,
    scope: 'reports:read reports:write',
    audience: AUDIENCE,
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [REDIRECT_URI],
    ...overrides
  }, Date.now())
}

/** A PKCE pair (RFC 7636 §4.1, §4.2). */
export function pkce () {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** A logged-in browser: the session cookie of a new session of `userName`, as the login page would set it. */
export async function sessionCookie (app: App, userName: string, now: number): Promise<string> {
  const user = await app.users.find(userName)
  if (!user) throw new Error(`no user ${userName}`)
  const { handle } = await app.sessions.create(user.id, now)
  return `${app.browserCookies.session.name}=${handle}`
}

/** The query of a valid authorization request of `clientId`, with `overrides` (undefined removes one). */
export function authorizationQuery (clientId: string, challenge: string, overrides: Record<string, string | undefined> = {}) {
  const query: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid reports:read',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides
  }
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.append(name, value)
  return params.toString()
}

export function authorize (app: App, query: string, cookie?: string) {
  return app.inject({ method: 'GET', url: `${AUTHORIZATION_PATH}?${query}`, headers: cookie ? { cookie } : {} })
}

export function tokenRequest (app: App, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: TOKEN_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString()
  })
}

/**
 * Checks an answer is a 303 to `redirectUri` with exactly `expected` in its query, plus `iss`
 * (RFC 9207); returns the query.
 */
export function expectClientRedirect (
  response: { statusCode: number, headers: Record<string, unknown> },
  expected: Record<string, string | RegExp | ReturnType<typeof expect.any>>,
  redirectUri = REDIRECT_URI
): URLSearchParams {
  expect(response.statusCode).toBe(303)
  const location = new URL(String(response.headers.location))
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri.split('?')[0])
  expect(Object.fromEntries(location.searchParams)).toEqual({ ...expected, iss: ISSUER })
  expect(response.headers['cache-control']).toBe('no-store')
  return location.searchParams
}

/** Checks an answer is the error page: 400 HTML, and no redirect anywhere. */
export function expectErrorPage (response: { statusCode: number, headers: Record<string, unknown>, body: string }) {
  expect(response.statusCode).toBe(400)
  expect(response.headers.location).toBeUndefined()
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
  expect(response.body).toContain('This sign-in cannot continue')
}

/** Logs `userName` in, authorizes, and returns the code (a first-party client, no consent step). */
export async function codeFor (app: App, clientId: string, userName: string, now: number, overrides = {}) {
  const { verifier, challenge } = pkce()
  const cookie = await sessionCookie(app, userName, now)
  const response = await authorize(app, authorizationQuery(clientId, challenge, overrides), cookie)
  const code = new URL(String(response.headers.location)).searchParams.get('code')
  if (response.statusCode !== 303 || code === null) throw new Error(`no code: ${response.statusCode} ${response.body}`)
  return { code, verifier, cookie }
}

export const exchangeFields = (clientId: string, code: string, verifier: string) =>
  ({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
