import * as client from 'openid-client'
import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_PATH, AUTHORIZATION_RESUME_PATH, LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { startCallbackServer } from '@repo/service-harness/callback-server'
import { FormBrowser } from '@repo/service-harness/form-browser'
import type { ServiceProcess } from '@repo/service-harness/service-process'
import { replicaSuite } from '../src/replicas.js'

const JANE = { userName: 'Jane', password: 'pass123' }

/**
 * openid-client's whole authorization code flow against two auth-service replicas on one
 * PostgreSQL database, each request sent to the replica the test picks (both serve the same
 * ISSUER, the balancer's URL, which is what the client and the browser see): what one replica
 * stored (the pending request, the session, the code, the refresh tokens) the other honours. The
 * browser is a FormBrowser: cookies, forms and redirects, no script (the login page needs none).
 */
describe('logging in through the browser, across two replicas on PostgreSQL', () => {
  const suite = replicaSuite()

  it('logs in on replica 1, resumes, exchanges and refreshes on 2; SSO, code reuse and logout cross over', async () => {
    const set = await suite.start({ count: 2, consumer: false })
    const callbacks = await startCallbackServer()
    try {
      const [one, two] = set.replicas as [ServiceProcess, ServiceProcess]
      const redirectUri = callbacks.uri('/callback')
      const signedOut = callbacks.uri('/signed-out')
      await registerBrowserClient(set.authEnv, {
        clientId: 'web-app', redirectUris: [redirectUri], postLogoutRedirectUris: [signedOut]
      })

      // Each request for the issuer's address goes to `target`, and is recorded as `<replica> <path>`.
      let target = one
      const served: string[] = []
      const route = (url: URL) => {
        if (url.origin !== set.issuer) return url
        served.push(`${target === one ? 1 : 2} ${url.pathname}`)
        return new URL(url.pathname + url.search, target.url)
      }
      const browser = new FormBrowser({ route })
      const config = await client.discovery(new URL(set.issuer), 'web-app', undefined, client.None(), {
        execute: [client.allowInsecureRequests]
      })
      config[client.customFetch] = (url, options) => fetch(route(new URL(url)), options)

      const authorize = async () => {
        const pkceCodeVerifier = client.randomPKCECodeVerifier()
        const expectedState = client.randomState()
        const expectedNonce = client.randomNonce()
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid reports:read',
          code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
          code_challenge_method: 'S256',
          state: expectedState,
          nonce: expectedNonce
        })
        return { url, checks: { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true } }
      }

      // Replica 1 takes the authorization request and the password; replica 2 everything from the resume on.
      const first = await authorize()
      served.length = 0
      const loginPage = await browser.get(first.url)
      expect(loginPage.url.pathname, loginPage.body).toBe(LOGIN_PAGE_PATH)
      browser.route = (url) => {
        if (url.pathname === AUTHORIZATION_RESUME_PATH) target = two
        return route(url)
      }
      const landed = await browser.submit(loginPage, JANE)
      expect(landed.url.origin + landed.url.pathname, landed.body).toBe(redirectUri)
      const firstCallback = await callbacks.next('/callback')
      const tokens = await client.authorizationCodeGrant(config, firstCallback, first.checks)
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string)
      expect(refreshed.refresh_token).toEqual(expect.any(String))
      expect(served).toEqual([
        `1 ${AUTHORIZATION_PATH}`, `1 ${LOGIN_PAGE_PATH}`, `1 ${LOGIN_PAGE_PATH}`,
        `2 ${AUTHORIZATION_RESUME_PATH}`, `2 ${TOKEN_PATH}`, `2 ${TOKEN_PATH}`
      ])

      // The session made on replica 1 lets replica 2 answer a new request without a password; replica 1 takes the code.
      served.length = 0
      const second = await authorize()
      const ssoLanded = await browser.get(second.url)
      expect(ssoLanded.url.origin + ssoLanded.url.pathname, ssoLanded.body).toBe(redirectUri)
      target = one
      const ssoTokens = await client.authorizationCodeGrant(config, await callbacks.next('/callback'), second.checks)
      expect(ssoTokens.claims()).toMatchObject({ sub: tokens.claims()?.sub, sid: tokens.claims()?.sid })
      expect(served).toEqual([`2 ${AUTHORIZATION_PATH}`, `1 ${TOKEN_PATH}`])

      // The first code again, at replica 1: refused, and what its first use issued (on replica 2) is revoked.
      await expect(client.authorizationCodeGrant(config, firstCallback, first.checks))
        .rejects.toMatchObject({ error: 'invalid_grant' })
      target = two
      await expect(client.refreshTokenGrant(config, refreshed.refresh_token as string))
        .rejects.toMatchObject({ error: 'invalid_grant' })

      // Logout at replica 1 ends the session everywhere: replica 2 refuses its refresh token and asks for the password.
      target = one
      const signOut = client.buildEndSessionUrl(config, {
        id_token_hint: ssoTokens.id_token as string, post_logout_redirect_uri: signedOut, state: 'bye'
      })
      browser.route = route
      await browser.get(signOut)
      expect((await callbacks.next('/signed-out')).searchParams.get('state')).toBe('bye')
      target = two
      await expect(client.refreshTokenGrant(config, ssoTokens.refresh_token as string))
        .rejects.toMatchObject({ error: 'invalid_grant' })
      const again = await browser.get((await authorize()).url)
      expect(again.url.pathname).toBe(LOGIN_PAGE_PATH)
    } finally {
      await callbacks.close()
    }
  })
})
