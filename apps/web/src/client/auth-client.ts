import * as oauth from 'oauth4webapi'
import { FAULTS, Fault, isNetworkError } from './faults.js'
import { isLoopback } from './loopback.js'
import type { PageConfig } from './page-config.js'
import { savePendingSignIn, takePendingSignIn } from './pending.js'
import type { Send } from './reports-api.js'
import { withDpopNonce } from './dpop-nonce.js'

/** What the page asks for: who the person is, and reading and creating reports. */
export const REQUESTED_SCOPE = 'openid reports:read reports:write'

/** Tokens held in memory only (module state of the running page), never in any storage. */
export interface Tokens {
  accessToken: string
  refreshToken: string | undefined
  idToken: string
  /** When the access token expires, in the page's clock (ms). */
  expiresAt: number
  /** The access token's granted scopes, as the token endpoint said. */
  scope: string | undefined
  sub: string
  /** `token_type: DPoP`: the access token is bound to the page's key and needs a proof with each use. */
  bound: boolean
}

/** Calls oauth4webapi, turning "nothing answered" into the sentence a person reads. */
async function reach<T> (call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (isNetworkError(error)) throw FAULTS.authDown()
    throw error
  }
}

type Insecure = { [oauth.allowInsecureRequests]?: boolean }

/** Plain http only to a server on loopback (a local stack, `*.localhost` too). */
const insecureOptions = (url: URL): Insecure =>
  url.protocol === 'http:' && isLoopback(url) ? { [oauth.allowInsecureRequests]: true } : {}

/**
 * The page as a public client of the auth service (no secret: PKCE binds the code to this page, and
 * DPoP binds the code and every token to the page's key, `dpop-key.ts`).
 */
export class AuthClient {
  readonly #client: oauth.Client
  readonly #insecure: Insecure
  /** The token requests' options: each carries a proof by the page's key (`DPoP` header). */
  readonly #options: Insecure & { DPoP: oauth.DPoPHandle }

  private constructor (readonly as: oauth.AuthorizationServer, clientId: string, keyPair: CryptoKeyPair) {
    this.#client = { client_id: clientId }
    this.#insecure = insecureOptions(new URL(as.issuer))
    this.#options = { ...this.#insecure, DPoP: oauth.DPoP(this.#client, keyPair) }
  }

  /** Reads the issuer's metadata; takes the page's DPoP key (the one stored, else a new one). */
  static async discover ({ issuer, clientId }: PageConfig, keyPair: () => Promise<CryptoKeyPair>): Promise<AuthClient> {
    const issuerUrl = new URL(issuer)
    const as = await reach(async () =>
      oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, insecureOptions(issuerUrl))))
    return new AuthClient(as, clientId, await keyPair())
  }

  get redirectUri (): string {
    return new URL('/callback', location.origin).href
  }

  /** Leaves for the auth service's login page; `silent` asks for no page at all (`prompt=none`). */
  async startSignIn ({ silent }: { silent: boolean }): Promise<void> {
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const pending = {
      state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), codeVerifier, silent
    }
    const url = new URL(this.as.authorization_endpoint as string)
    url.search = new URLSearchParams({
      client_id: this.#client.client_id,
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: REQUESTED_SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      // The code is exchanged only with a proof by this key (RFC 9449 §10): an intercepted code is useless.
      dpop_jkt: await this.#options.DPoP.calculateThumbprint(),
      ...silent ? { prompt: 'none' } : {}
    }).toString()
    savePendingSignIn(pending)
    location.assign(url.href)
  }

  /**
   * Finishes a sign-in at the callback: `state` and `iss` (RFC 9207) checked, the code exchanged with
   * the PKCE verifier, the ID token's `nonce`, `aud`, `iss` and times checked. `signed-out` when a silent
   * attempt found no session at the auth service.
   */
  async finishSignIn (callback: URL): Promise<Tokens | 'signed-out'> {
    const pending = takePendingSignIn()
    if (pending === undefined) throw FAULTS.unknownCallback()
    let parameters: URLSearchParams
    try {
      parameters = oauth.validateAuthResponse(this.as, this.#client, callback, pending.state)
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        if (pending.silent && ['login_required', 'interaction_required', 'consent_required'].includes(error.error)) {
          return 'signed-out'
        }
        throw FAULTS.signInRefused()
      }
      throw FAULTS.badCallback()
    }
    try {
      const result = await withDpopNonce(async () => {
        const response = await reach(() => oauth.authorizationCodeGrantRequest(
          this.as, this.#client, oauth.None(), parameters, this.redirectUri, pending.codeVerifier, this.#options))
        return oauth.processAuthorizationCodeResponse(this.as, this.#client, response, {
          expectedNonce: pending.nonce, requireIdToken: true
        })
      })
      return toTokens(result)
    } catch (error) {
      // The code was used already, expired, or the answer did not check out.
      if (error instanceof oauth.ResponseBodyError) throw FAULTS.unknownCallback()
      throw FAULTS.badCallback()
    }
  }

  /** A new access token (and, with rotation, a new refresh token) for `tokens`. */
  async refresh (tokens: Tokens): Promise<Tokens> {
    if (tokens.refreshToken === undefined) throw FAULTS.sessionEnded()
    const refreshToken = tokens.refreshToken
    try {
      const result = await withDpopNonce(async () => {
        const response = await reach(() =>
          oauth.refreshTokenGrantRequest(this.as, this.#client, oauth.None(), refreshToken, this.#options))
        return oauth.processRefreshTokenResponse(this.as, this.#client, response)
      })
      return { ...toTokens(result, tokens), idToken: result.id_token ?? tokens.idToken }
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) throw FAULTS.sessionEnded()
      throw error instanceof Fault ? error : FAULTS.sessionEnded()
    }
  }

  /** The person's name and role, from `/userinfo` (the ID token carries only the subject). */
  async userInfo (tokens: Tokens): Promise<oauth.UserInfoResponse> {
    return withDpopNonce(async () => {
      const response = await reach(() =>
        oauth.userInfoRequest(this.as, this.#client, tokens.accessToken, { ...this.#insecure, ...this.#proof(tokens) }))
      return oauth.processUserInfoResponse(this.as, this.#client, tokens.sub, response)
    })
  }

  /**
   * Sends requests to a resource server with `tokens`: `Authorization: DPoP` and a fresh proof for each
   * (method, URL, the token's hash) when the token is bound. Every answer comes back as a Response, a
   * refusal's challenge included, for the caller to put in words.
   */
  sender (tokens: Tokens): Send {
    return async (url, { method = 'GET', headers = {}, body = null } = {}) => {
      const target = new URL(url)
      const options = { ...insecureOptions(target), ...this.#proof(tokens) }
      const attempt = () => oauth.protectedResourceRequest(
        tokens.accessToken, method, target, new Headers(headers), body, options
      ).catch((error: unknown) => {
        if (error instanceof oauth.WWWAuthenticateChallengeError) return error
        throw error
      })
      let answer = await attempt()
      // A server that wants a nonce names it in its refusal; the handle keeps it for the one retry.
      if (answer instanceof Error && oauth.isDPoPNonceError(answer)) answer = await attempt()
      return answer instanceof Error ? answer.response : answer
    }
  }

  /** A request with `tokens` carries a proof only when they are bound: a bearer token has no key. */
  #proof (tokens: Tokens): { DPoP?: oauth.DPoPHandle } {
    return tokens.bound ? { DPoP: this.#options.DPoP } : {}
  }

  /** Revokes the refresh token (RFC 7009), so it is refused even if it was copied (no proof: §5 asks none). */
  async revoke (refreshToken: string): Promise<void> {
    const response = await reach(() => oauth.revocationRequest(this.as, this.#client, oauth.None(), refreshToken, {
      ...this.#insecure, additionalParameters: { token_type_hint: 'refresh_token' }
    }))
    await oauth.processRevocationResponse(response)
  }

  /** RP-initiated logout: the auth service ends its session and sends the browser back to `/?state=…`. */
  signOutUrl (idToken: string, state: string): URL {
    const url = new URL(this.as.end_session_endpoint as string)
    url.search = new URLSearchParams({
      client_id: this.#client.client_id,
      id_token_hint: idToken,
      post_logout_redirect_uri: new URL('/', location.origin).href,
      state
    }).toString()
    return url
  }
}

function toTokens (result: oauth.TokenEndpointResponse, previous?: Tokens): Tokens {
  const claims = oauth.getValidatedIdTokenClaims(result)
  const sub = claims?.sub ?? previous?.sub
  const idToken = result.id_token ?? previous?.idToken
  if (sub === undefined || idToken === undefined) throw FAULTS.badCallback()
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token ?? previous?.refreshToken,
    idToken,
    expiresAt: Date.now() + (result.expires_in ?? 60) * 1000,
    scope: result.scope ?? previous?.scope,
    sub,
    bound: result.token_type.toLowerCase() === 'dpop'
  }
}
