import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { freePort } from '@repo/service-harness/free-port'
import { engineEnv } from '../databases.js'
import { AUDIENCE, buildTestApp } from '../helper.js'
import { REDIRECT_URI, addBrowserClient, sessionCookie } from '../authorization/browser-flow.js'

const insecure = { [oauth.allowInsecureRequests]: true }

/** Runs a DPoP request, and once more when the server asked for its nonce (which the handle has kept). */
async function withNonce<T> (attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt()
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error
    return attempt()
  }
}

describe('DPoP-bound tokens with oauth4webapi (DPOP_NONCE=true)', () => {
  it('client_credentials, the code flow and a refresh: bound to the client\'s key, nonces fetched on the way', async () => {
    const port = await freePort()
    const issuer = new URL(`http://127.0.0.1:${port}`)
    const app = await buildTestApp({ ...await engineEnv('sqlite'), ISSUER: issuer.origin, DPOP_NONCE: 'true' })
    await app.listen({ port, host: '127.0.0.1' })
    const as = await oauth.processDiscoveryResponse(issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
    expect(as.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'RS256', 'PS256'])
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri as string))
    const keyPair = await oauth.generateKeyPair('ES256')
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey))

    // A machine client.
    const { secret } = await app.clients.add({
      clientId: 'bot',
      authMethod: 'client_secret_basic',
      jwks: undefined,
      jwksUri: undefined,
      scope: 'reports:read',
      audience: AUDIENCE,
      grantTypes: ['client_credentials'],
      dpopBoundAccessTokens: true
    }, Date.now())
    const bot: oauth.Client = { client_id: 'bot' }
    const botDpop = oauth.DPoP(bot, keyPair)
    const machine = await withNonce(async () => oauth.processClientCredentialsResponse(as, bot,
      await oauth.clientCredentialsGrantRequest(as, bot, oauth.ClientSecretBasic(secret as string),
        { scope: 'reports:read' }, { DPoP: botDpop, ...insecure })))
    expect(machine.token_type).toBe('dpop')
    const machineToken = await jwtVerify(machine.access_token, jwks, { issuer: issuer.origin, audience: AUDIENCE })
    expect(machineToken.payload.cnf).toEqual({ jkt })

    // A public browser app: the code, bound by dpop_jkt, then a refresh.
    await addBrowserClient(app, 'spa')
    const spa: oauth.Client = { client_id: 'spa' }
    const spaDpop = oauth.DPoP(spa, keyPair)
    const verifier = oauth.generateRandomCodeVerifier()
    const authorizationUrl = new URL(as.authorization_endpoint as string)
    for (const [name, value] of Object.entries({
      client_id: 'spa',
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'reports:read',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      dpop_jkt: await spaDpop.calculateThumbprint()
    })) authorizationUrl.searchParams.set(name, value)
    const cookie = await sessionCookie(app, 'Jane', Date.now())
    const landing = await fetch(authorizationUrl, { redirect: 'manual', headers: { cookie } })
    const callback = oauth.validateAuthResponse(as, spa, new URL(landing.headers.get('location') as string),
      oauth.expectNoState)
    const tokens = await withNonce(async () => oauth.processAuthorizationCodeResponse(as, spa,
      await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), callback, REDIRECT_URI, verifier,
        { DPoP: spaDpop, ...insecure })))
    expect(tokens.token_type).toBe('dpop')
    expect((await jwtVerify(tokens.access_token, jwks, { issuer: issuer.origin })).payload.cnf).toEqual({ jkt })

    const refreshed = await withNonce(async () => oauth.processRefreshTokenResponse(as, spa,
      await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token as string,
        { DPoP: spaDpop, ...insecure })))
    expect(refreshed.token_type).toBe('dpop')
    expect((await jwtVerify(refreshed.access_token, jwks, { issuer: issuer.origin })).payload.cnf).toEqual({ jkt })

    // The refresh token it got is bound: without the key, the same client library is refused.
    const stolen = oauth.refreshTokenGrantRequest(as, spa, oauth.None(), refreshed.refresh_token as string, insecure)
    await expect(oauth.processRefreshTokenResponse(as, spa, await stolen))
      .rejects.toMatchObject({ error: 'invalid_grant' })
  })
})
