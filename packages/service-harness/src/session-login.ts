import { createHash, randomBytes } from 'node:crypto'
import { AUTHORIZATION_PATH, END_SESSION_PATH, LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { FormBrowser } from './form-browser.js'

/** What a browser login gave: the tokens, and the session (`sid`) they came from. */
export interface SessionLogin {
  accessToken: string
  idToken: string
  refreshToken: string
  sub: string
  sid: string
}

export interface SessionLoginOptions {
  /** The issuer's URL: authorization, login and token requests go there (through `browser.route`). */
  issuer: string
  /** A public browser client registered with `redirectUri`. */
  clientId: string
  redirectUri: string
  user: { userName: string, password: string }
  /** Carries the session cookie: log out with the same browser. */
  browser: FormBrowser
  scope?: string
}

const random = (): string => randomBytes(32).toString('base64url')

function claimsOf (jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>
}

/**
 * Logs `user` in through the authorization endpoint and the login page (authorization code with PKCE),
 * as a person in a browser would, and exchanges the code: tokens that carry the browser session's `sid`.
 */
export async function logInThroughBrowser (options: SessionLoginOptions): Promise<SessionLogin> {
  const { issuer, clientId, redirectUri, user, browser } = options
  const verifier = random()
  const authorize = new URL(AUTHORIZATION_PATH, issuer)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: options.scope ?? 'openid reports:read',
    state: random(),
    nonce: random(),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256'
  }).toString()
  let page = await browser.get(authorize)
  if (page.url.pathname === LOGIN_PAGE_PATH) page = await browser.submit(page, user)
  const code = page.url.searchParams.get('code')
  if (!page.url.href.startsWith(redirectUri) || code === null) {
    const text = page.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)
    throw new Error(`the login did not come back to ${redirectUri} with a code: ${page.url.href} ` +
      `(${page.status}): ${text}`)
  }
  const response = await fetch(browser.route(new URL(TOKEN_PATH, issuer)), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId
    })
  })
  const tokens = await response.json() as Record<string, string>
  if (response.status !== 200) {
    throw new Error(`the code exchange answered ${response.status}: ${JSON.stringify(tokens)}`)
  }
  const claims = claimsOf(tokens.access_token as string)
  return {
    accessToken: tokens.access_token as string,
    idToken: tokens.id_token as string,
    refreshToken: tokens.refresh_token as string,
    sub: claims.sub as string,
    sid: claims.sid as string
  }
}

/**
 * RP-initiated logout at `issuer` in `browser` (which holds the session cookie), vouched for by the ID
 * token: no confirmation page. `browser.route` decides which replica takes it.
 */
export async function logOutThroughBrowser (browser: FormBrowser, issuer: string, idToken: string): Promise<void> {
  const url = new URL(END_SESSION_PATH, issuer)
  url.searchParams.set('id_token_hint', idToken)
  const page = await browser.get(url)
  if (page.status !== 200) throw new Error(`logout answered ${page.status}: ${page.body.slice(0, 200)}`)
}
