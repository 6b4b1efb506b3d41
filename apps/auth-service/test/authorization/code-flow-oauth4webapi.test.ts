import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { freePort } from '@repo/service-harness/free-port'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { AUDIENCE, buildTestApp } from '../helper.js'
import { REDIRECT_URI, addBrowserClient, sessionCookie, type App } from './browser-flow.js'

const insecure = { [oauth.allowInsecureRequests]: true }

/** The app listening on a loopback port, its issuer that address (discovery checks `issuer` against it). */
async function listeningApp (engine: Engine): Promise<{ app: App, issuer: URL }> {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const app = await buildTestApp({ ...await engineEnv(engine), ISSUER: issuer })
  await app.listen({ port, host: '127.0.0.1' })
  return { app, issuer: new URL(issuer) }
}

/** What a browser does at the authorization endpoint with a session: follows to the client's callback. */
async function browse (url: URL, cookie: string): Promise<URL> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie } })
  expect(response.status).toBe(303)
  return new URL(response.headers.get('location') as string)
}

describe.each(ENGINES)('the code flow with oauth4webapi on %s', (engine: Engine) => {
  it('discovery, PKCE, authorization, code exchange, ID token; PAR; a tampered state refused', async () => {
    const { app, issuer } = await listeningApp(engine)
    await addBrowserClient(app, 'spa')
    const as = await oauth.processDiscoveryResponse(issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }))
    expect(as.authorization_endpoint).toBe(`${issuer.origin}/authorize`)
    const client: oauth.Client = { client_id: 'spa' }
    const cookie = await sessionCookie(app, 'Jane', Date.now())
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri as string))

    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const parameters = {
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid reports:read',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce
    }
    const authorizationUrl = new URL(as.authorization_endpoint as string)
    for (const [name, value] of Object.entries(parameters)) authorizationUrl.searchParams.set(name, value)
    const callback = await browse(authorizationUrl, cookie)

    // A state tampered with on the way back: the client refuses (and, with iss, a mix-up too).
    expect(() => oauth.validateAuthResponse(as, client, callback, 'another-state')).toThrow(oauth.OperationProcessingError)
    const callbackParameters = oauth.validateAuthResponse(as, client, callback, state)

    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callbackParameters,
      REDIRECT_URI, verifier, insecure)
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response,
      { expectedNonce: nonce, requireIdToken: true })
    const claims = oauth.getValidatedIdTokenClaims(tokens)
    const jane = await app.users.find('Jane')
    expect(claims).toMatchObject({ iss: issuer.origin, sub: jane?.id, aud: 'spa', nonce })
    // oauth4webapi checks the ID token's claims; its signature is checked here, with the published keys.
    await jwtVerify(tokens.id_token as string, jwks, { issuer: issuer.origin, audience: 'spa' })
    const access = await jwtVerify(tokens.access_token, jwks, { issuer: issuer.origin, audience: AUDIENCE })
    expect(access.payload).toMatchObject({ sub: jane?.id, client_id: 'spa', scope: 'openid reports:read' })

    // The same through PAR.
    const pushed = await oauth.processPushedAuthorizationResponse(as, client,
      await oauth.pushedAuthorizationRequest(as, client, oauth.None(), parameters, insecure))
    const parUrl = new URL(as.authorization_endpoint as string)
    parUrl.searchParams.set('client_id', client.client_id)
    parUrl.searchParams.set('request_uri', pushed.request_uri)
    const parCallback = oauth.validateAuthResponse(as, client, await browse(parUrl, cookie), state)
    const parTokens = await oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), parCallback, REDIRECT_URI, verifier, insecure),
      { expectedNonce: nonce, requireIdToken: true })
    expect(parTokens.refresh_token).toEqual(expect.any(String))

    // An error response carries iss too: oauth4webapi reads it as the authorization server's error.
    const noneUrl = new URL(authorizationUrl)
    noneUrl.searchParams.set('prompt', 'none')
    const errorCallback = await browse(noneUrl, '')
    expect(() => oauth.validateAuthResponse(as, client, errorCallback, state)).toThrow(
      expect.objectContaining({ error: 'login_required' }))
  })

  it('resource (RFC 8707) on the authorization request and PAR narrows aud; refresh keeps it', async () => {
    const reports = 'https://reports.example/api'
    const billing = 'https://billing.example/api'
    const { app, issuer } = await listeningApp(engine)
    await addBrowserClient(app, 'spa-resources', { resources: [reports, billing] })
    const as = await oauth.processDiscoveryResponse(issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }))
    const client: oauth.Client = { client_id: 'spa-resources' }
    const cookie = await sessionCookie(app, 'Jane', Date.now())
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri as string))
    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const parameters = {
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'reports:read',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      resource: reports
    }
    const authorizationUrl = new URL(as.authorization_endpoint as string)
    for (const [name, value] of Object.entries(parameters)) authorizationUrl.searchParams.set(name, value)
    const callback = oauth.validateAuthResponse(as, client, await browse(authorizationUrl, cookie), state)
    const tokens = await oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT_URI, verifier, insecure))
    await jwtVerify(tokens.access_token, jwks, { issuer: issuer.origin, audience: reports })

    // A refresh asking for a resource the authorization did not name: oauth4webapi reads invalid_target.
    await expect(oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client,
      oauth.None(), tokens.refresh_token as string, { ...insecure, additionalParameters: { resource: billing } })))
      .rejects.toMatchObject({ error: 'invalid_target', status: 400 })
    const refreshed = await oauth.processRefreshTokenResponse(as, client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token as string, insecure))
    await jwtVerify(refreshed.access_token, jwks, { issuer: issuer.origin, audience: reports })

    // Through PAR, for the other resource.
    const pushed = await oauth.processPushedAuthorizationResponse(as, client,
      await oauth.pushedAuthorizationRequest(as, client, oauth.None(), { ...parameters, resource: billing }, insecure))
    const parUrl = new URL(as.authorization_endpoint as string)
    parUrl.searchParams.set('client_id', client.client_id)
    parUrl.searchParams.set('request_uri', pushed.request_uri)
    const parCallback = oauth.validateAuthResponse(as, client, await browse(parUrl, cookie), state)
    const parTokens = await oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), parCallback, REDIRECT_URI, verifier, insecure))
    await jwtVerify(parTokens.access_token, jwks, { issuer: issuer.origin, audience: billing })

    // A resource the client is not registered for: the error comes back to the redirect URI.
    const unknownUrl = new URL(authorizationUrl)
    unknownUrl.searchParams.set('resource', 'https://elsewhere.example/api')
    const errorCallback = await browse(unknownUrl, cookie)
    expect(() => oauth.validateAuthResponse(as, client, errorCallback, state)).toThrow(
      expect.objectContaining({ error: 'invalid_target' }))
  })
})
