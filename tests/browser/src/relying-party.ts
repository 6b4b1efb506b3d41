import * as client from 'openid-client'

/** One authorization request in flight: where to send the browser, and what to check on its return. */
export interface PendingLogin {
  url: URL
  codeVerifier: string
  state: string
  nonce: string
}

export interface RelyingParty {
  config: client.Configuration
  clientId: string
  redirectUri: string
  /**
   * A new authorization request (PKCE S256, `state`, `nonce`), through PAR when `par` is set;
   * `extra` parameters go with it (`prompt`, `max_age`).
   */
  authorize: (options?: { par?: boolean, scope?: string, extra?: Record<string, string> }) => Promise<PendingLogin>
  /** openid-client's checks of the callback (state, iss, code exchange, ID token with nonce), then the tokens. */
  finish: (callback: URL, pending: PendingLogin) => ReturnType<typeof client.authorizationCodeGrant>
}

/**
 * A public client of the auth service, as a web developer would write it with openid-client:
 * discovery from the issuer URL, no client secret (`None()`). Plain http is allowed only for an
 * `http:` issuer (the test's, on loopback); `fetch` replaces the global one for every request the
 * client makes (the compose stack's issuer, routed and trusted: issuer-route.ts).
 */
export async function relyingParty (
  issuer: string, clientId: string, redirectUri: string, { fetch }: { fetch?: typeof globalThis.fetch } = {}
): Promise<RelyingParty> {
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.None(), {
    ...new URL(issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {},
    ...fetch === undefined ? {} : { [client.customFetch]: (url: string, options: RequestInit) => fetch(url, options) }
  })
  return {
    config,
    clientId,
    redirectUri,
    async authorize ({ par = false, scope = 'openid reports:read', extra = {} } = {}) {
      const codeVerifier = client.randomPKCECodeVerifier()
      const state = client.randomState()
      const nonce = client.randomNonce()
      const parameters = {
        redirect_uri: redirectUri,
        scope,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra
      }
      const url = par
        ? await client.buildAuthorizationUrlWithPAR(config, parameters)
        : client.buildAuthorizationUrl(config, parameters)
      return { url, codeVerifier, state, nonce }
    },
    finish: (callback, { codeVerifier, state, nonce }) => client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true
    })
  }
}
