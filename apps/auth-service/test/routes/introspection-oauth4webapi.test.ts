import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { freePort } from '@repo/service-harness/free-port'
import { addBrowserClient } from '../authorization/browser-flow.js'
import { engineEnv } from '../databases.js'
import { buildTestApp } from '../helper.js'

const insecure = { [oauth.allowInsecureRequests]: true }

describe('introspection with oauth4webapi as the client', () => {
  it('discovers the endpoint, introspects with client_secret_basic and client_secret_post; a public client is refused', async () => {
    const port = await freePort()
    const issuer = new URL(`http://127.0.0.1:${port}`)
    const app = await buildTestApp({ ...await engineEnv('sqlite'), ISSUER: issuer.origin })
    await app.listen({ port, host: '127.0.0.1' })
    const as = await oauth.processDiscoveryResponse(issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
    expect(as.introspection_endpoint).toBe(`${issuer.origin}/oauth/introspect`)

    const machine = (clientId: string, authMethod: 'client_secret_basic' | 'client_secret_post') => app.clients.add({
      clientId,
      authMethod,
      jwks: undefined,
      jwksUri: undefined,
      scope: 'reports:read',
      audience: 'reports-api',
      grantTypes: ['client_credentials']
    }, Date.now())
    const botSecret = (await machine('bot', 'client_secret_basic')).secret as string
    const rsSecret = (await machine('reports-rs', 'client_secret_post')).secret as string
    const bot: oauth.Client = { client_id: 'bot' }
    const token = await oauth.processClientCredentialsResponse(as, bot,
      await oauth.clientCredentialsGrantRequest(as, bot, oauth.ClientSecretBasic(botSecret), { scope: 'reports:read' },
        insecure))
    const claims = decodeJwt(token.access_token)

    const own = await oauth.processIntrospectionResponse(as, bot,
      await oauth.introspectionRequest(as, bot, oauth.ClientSecretBasic(botSecret), token.access_token,
        { additionalParameters: { token_type_hint: 'access_token' }, ...insecure }))
    expect(own).toEqual({
      active: true,
      scope: 'reports:read',
      client_id: 'bot',
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      nbf: claims.nbf,
      sub: 'bot',
      aud: 'reports-api',
      iss: issuer.origin,
      jti: claims.jti
    })

    // A resource server of the token's audience, authenticating in the body.
    const rs: oauth.Client = { client_id: 'reports-rs' }
    const seen = await oauth.processIntrospectionResponse(as, rs,
      await oauth.introspectionRequest(as, rs, oauth.ClientSecretPost(rsSecret), token.access_token, insecure))
    expect(seen).toEqual(own)
    const unknown = await oauth.processIntrospectionResponse(as, rs,
      await oauth.introspectionRequest(as, rs, oauth.ClientSecretPost(rsSecret), 'no-such-token', insecure))
    expect(unknown).toEqual({ active: false })

    await addBrowserClient(app, 'spa')
    const spa: oauth.Client = { client_id: 'spa' }
    const refused = oauth.processIntrospectionResponse(as, spa,
      await oauth.introspectionRequest(as, spa, oauth.None(), token.access_token, insecure))
    // The 401 carries a Basic challenge, which oauth4webapi reports before the body's invalid_client.
    const error: unknown = await refused.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    const challenge = error as oauth.WWWAuthenticateChallengeError
    expect({ status: challenge.status, challenges: challenge.cause }).toEqual({
      status: 401, challenges: [{ scheme: 'basic', parameters: { realm: 'token' } }]
    })
    expect(await challenge.response.json()).toEqual({
      error: 'invalid_client', error_description: 'Client authentication failed'
    })
  })
})
