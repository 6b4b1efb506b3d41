import { createHash } from 'node:crypto'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { startCallbackServer, type CallbackServer } from '@repo/service-harness/callback-server'
import { FormBrowser } from '@repo/service-harness/form-browser'
import { call } from '@repo/service-harness/http'
import { runAuthCli } from '@repo/service-harness/service-process'
import { startPair, type Pair } from '../src/pair.js'
import { clientSecretIn } from '@repo/service-harness/client-secret'

const JANE = { userName: 'Jane', password: 'pass123' }

/** The access token's payload, decoded (the test reads `cnf` and `sid`; the consumer verifies it). */
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { cnf?: { jkt?: string }, sid?: string }

type DPoPKeyPair = Awaited<ReturnType<typeof client.randomDPoPKeyPair>>

/** The RFC 7638 thumbprint of an EC public key: SHA-256 of its required members, in lexicographic order. */
async function thumbprint (publicKey: DPoPKeyPair['publicKey']): Promise<string> {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', publicKey)
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url')
}

/**
 * DPoP (RFC 9449) end to end with openid-client, which is oauth4webapi underneath: the auth service
 * binds each grant's tokens to the client's key, and the consumer takes them only with a proof by
 * that key, through openid-client's own `fetchProtectedResource`.
 */
describe('DPoP-bound tokens with openid-client, at the auth service and the consumer', () => {
  let pair: Pair
  let callbacks: CallbackServer
  let secret: string

  beforeAll(async () => {
    pair = await startPair({}, { AUDIENCE: 'consumer-service' })
    callbacks = await startCallbackServer()
    const added = await runAuthCli('clients',
      ['add', 'dpop-bot', '--scope', 'reports:read', '--audience', 'consumer-service'], pair.authEnv)
    secret = clientSecretIn(added.stdout) ?? ''
    await registerBrowserClient(pair.authEnv, { clientId: 'dpop-app', redirectUris: [callbacks.uri('/callback')] })
  })

  afterAll(async () => {
    await callbacks?.close()
    await pair?.stop()
  })

  const configure = (clientId: string, auth: client.ClientAuth) => client.discovery(
    new URL(pair.issuer), clientId, undefined, auth, { execute: [client.allowInsecureRequests] })
  const reportsUrl = () => new URL(`${pair.consumer.url}/api/v1/reports`)
  const dpopHandle = async (config: client.Configuration) =>
    client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))
  const expectBound = async (token: string, keyPair: DPoPKeyPair) => {
    expect(payloadOf(token).cnf).toEqual({ jkt: await thumbprint(keyPair.publicKey) })
  }

  it('client_credentials: a bound token the consumer takes with a proof, and refuses as a bearer token', async () => {
    const config = await configure('dpop-bot', client.ClientSecretBasic(secret))
    const keyPair = await client.randomDPoPKeyPair('ES256')
    const DPoP = client.getDPoPHandle(config, keyPair)
    const tokens = await client.clientCredentialsGrant(config, { scope: 'reports:read' }, { DPoP })
    expect(tokens.token_type).toBe('dpop')
    await expectBound(tokens.access_token, keyPair)

    const response = await client.fetchProtectedResource(config, tokens.access_token, reportsUrl(), 'GET', undefined,
      undefined, { DPoP })
    expect(response.status).toBe(200)
    // The same token without its key: as Bearer, and with a proof by another key.
    const asBearer = await call(reportsUrl().href, tokens.access_token)
    expect(asBearer.status).toBe(401)
    const otherKey = await dpopHandle(config)
    await expect(client.fetchProtectedResource(config, tokens.access_token, reportsUrl(), 'GET', undefined, undefined,
      { DPoP: otherKey })).rejects.toMatchObject({ status: 401 })
  })

  it('the code flow and a refresh: each access token bound to the app\'s key, the refresh token too', async () => {
    const config = await configure('dpop-app', client.None())
    const keyPair = await client.randomDPoPKeyPair('ES256')
    const DPoP = client.getDPoPHandle(config, keyPair)
    const pkceCodeVerifier = client.randomPKCECodeVerifier()
    const expectedState = client.randomState()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callbacks.uri('/callback'),
      scope: 'openid reports:read',
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: expectedState,
      // The code is bound to the key too (RFC 9449 §10): only a proof by it can redeem it.
      dpop_jkt: await thumbprint(keyPair.publicKey)
    })
    const browser = new FormBrowser()
    const loginPage = await browser.get(url)
    await browser.submit(loginPage, JANE)
    const callback = await callbacks.next('/callback')
    const tokens = await client.authorizationCodeGrant(config, callback,
      { pkceCodeVerifier, expectedState, idTokenExpected: true }, undefined, { DPoP })
    expect(tokens.token_type).toBe('dpop')
    await expectBound(tokens.access_token, keyPair)
    // The browser session's `sid`, as in the ID token: the consumer takes a token carrying it.
    const sid = tokens.claims()?.sid
    expect(sid).toEqual(expect.any(String))
    expect(payloadOf(tokens.access_token).sid).toBe(sid)
    const listed = await client.fetchProtectedResource(config, tokens.access_token, reportsUrl(), 'GET', undefined,
      undefined, { DPoP })
    expect(listed.status).toBe(200)

    // A public client's refresh token is bound as well: without the key it is refused and stays unused.
    const refreshToken = tokens.refresh_token as string
    await expect(client.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' })
    const refreshed = await client.refreshTokenGrant(config, refreshToken, undefined, { DPoP })
    expect(refreshed.token_type).toBe('dpop')
    await expectBound(refreshed.access_token, keyPair)
    expect(payloadOf(refreshed.access_token).sid).toBe(sid)
    const again = await client.fetchProtectedResource(config, refreshed.access_token, reportsUrl(), 'GET', undefined,
      undefined, { DPoP })
    expect(again.status).toBe(200)
  })
})
