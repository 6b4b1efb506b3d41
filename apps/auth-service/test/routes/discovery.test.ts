import { once } from 'node:events'
import { createServer } from 'node:net'
import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import Fastify from 'fastify'
import { buildJwksDocument } from '../../src/keys/jwks-document.js'
import { discoveryRoutes } from '../../src/routes/discovery.js'
import { AUDIENCE, ISSUER, buildTestApp, login, suiteApp } from '../helper.js'

/** Everything the service does, and nothing else: the same on every deployment. */
const AUTHORIZATION_SERVER_METADATA = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  pushed_authorization_request_endpoint: `${ISSUER}/par`,
  require_pushed_authorization_requests: false,
  jwks_uri: `${ISSUER}/.well-known/jwks.json`,
  token_endpoint: `${ISSUER}/oauth/token`,
  revocation_endpoint: `${ISSUER}/oauth/revoke`,
  userinfo_endpoint: `${ISSUER}/userinfo`,
  end_session_endpoint: `${ISSUER}/logout`,
  response_types_supported: ['code'],
  response_modes_supported: ['query'],
  grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
  prompt_values_supported: ['none', 'login'],
  claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'preferred_username', 'role'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
  token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
  revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
  revocation_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
  // RFC 7662: confidential clients only.
  introspection_endpoint: `${ISSUER}/oauth/introspect`,
  introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  introspection_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
  scopes_supported: ['openid', 'reports:read', 'reports:write'],
  dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256', 'PS256']
}

/** The OIDC document adds the algorithm the deployment signs with, whatever it is. */
const openIdConfiguration = (alg: string) => ({
  ...AUTHORIZATION_SERVER_METADATA,
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: [alg]
})

describe.each(['RS256', 'ES256', 'EdDSA'])('the metadata documents with SIGNING_ALG=%s', (alg) => {
  const app = suiteApp({ SIGNING_ALG: alg })

  it.each([
    ['/.well-known/oauth-authorization-server', AUTHORIZATION_SERVER_METADATA],
    ['/.well-known/openid-configuration', openIdConfiguration(alg)]
  ])('GET %s lists exactly what the service does', async (url, document) => {
    const response = await app().inject(url)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['cache-control']).toBe('public, max-age=300')
    expect(response.json()).toEqual(document)
  })

  it('names the issuer exactly as tokens do', async () => {
    const token = (await login(app(), 'Jane', 'pass123')).json().access_token as string
    expect(decodeJwt(token).iss).toBe(ISSUER)
  })
})

describe('id_token_signing_alg_values_supported while the signing algorithm changes', () => {
  it('names every algorithm of the published keys, and follows the key ring', async () => {
    const key = (kid: string, alg: 'RS256' | 'ES256' | 'EdDSA') =>
      ({ kty: 'OKP' as const, crv: 'Ed25519', x: 'x', kid, alg, use: 'sig' as const })
    let jwks = buildJwksDocument([key('a', 'EdDSA')])
    const app = Fastify({ logger: false })
    await app.register(discoveryRoutes, {
      issuer: ISSUER, keyRing: { jwks: () => jwks }, signingAlg: 'RS256', maxAgeSeconds: 300, serviceLogLevel: 'silent'
    })
    const published = async () =>
      (await app.inject('/.well-known/openid-configuration')).json().id_token_signing_alg_values_supported

    expect(await published()).toEqual(['EdDSA'])
    // The new algorithm's key pre-published beside the old one: a verifier must accept both.
    jwks = buildJwksDocument([key('a', 'EdDSA'), key('b', 'ES256')])
    expect(await published()).toEqual(['ES256', 'EdDSA'])
    jwks = buildJwksDocument([key('b', 'ES256')])
    expect(await published()).toEqual(['ES256'])
    // No key published (never, once the service has started): SIGNING_ALG.
    jwks = buildJwksDocument([])
    expect(await published()).toEqual(['RS256'])
    await app.close()
  })
})

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

describe('discovery with oauth4webapi', () => {
  it.each(['oauth2', 'oidc'] as const)('algorithm %s: discoveryRequest and processDiscoveryResponse accept the document', async (algorithm) => {
    // The issuer must be the address discovery starts from, so the port is chosen before the app is built.
    const port = await freePort()
    const issuer = `http://127.0.0.1:${port}`
    const app = await buildTestApp({ ISSUER: issuer })
    await app.listen({ port, host: '127.0.0.1' })

    const issuerUrl = new URL(issuer)
    const response = await oauth.discoveryRequest(issuerUrl, { algorithm, [oauth.allowInsecureRequests]: true })
    const metadata = await oauth.processDiscoveryResponse(issuerUrl, response)

    expect(new URL(response.url).pathname).toBe(algorithm === 'oauth2' ? '/.well-known/oauth-authorization-server' : '/.well-known/openid-configuration')
    expect(metadata).toMatchObject({ issuer, token_endpoint: `${issuer}/oauth/token`, revocation_endpoint: `${issuer}/oauth/revoke`, jwks_uri: `${issuer}/.well-known/jwks.json` })
  })

  // oauth4webapi takes id_token_signing_alg_values_supported as the algorithms to accept.
  it.each(['ES256', 'EdDSA'])('a %s deployment: validateJwtAccessToken accepts its tokens, given those', async (alg) => {
    const port = await freePort()
    const issuer = `http://127.0.0.1:${port}`
    const app = await buildTestApp({ ISSUER: issuer, SIGNING_ALG: alg })
    await app.listen({ port, host: '127.0.0.1' })

    const issuerUrl = new URL(issuer)
    const insecure = { [oauth.allowInsecureRequests]: true }
    const discovered = await oauth.discoveryRequest(issuerUrl, { algorithm: 'oidc', ...insecure })
    const metadata = await oauth.processDiscoveryResponse(issuerUrl, discovered)
    expect(metadata.id_token_signing_alg_values_supported).toEqual([alg])

    const token = (await login(app, 'Jane', 'pass123')).json().access_token as string
    const request = new Request(`${issuer}/api`, { headers: { authorization: `Bearer ${token}` } })
    const claims = await oauth.validateJwtAccessToken(metadata, request, AUDIENCE, {
      signingAlgorithms: metadata.id_token_signing_alg_values_supported,
      [oauth.allowInsecureRequests]: true
    })
    expect(claims).toMatchObject({ iss: issuer, aud: AUDIENCE, client_id: 'demo-client' })
  })

  it('refuses a document whose issuer is not the address it was discovered at', async () => {
    const port = await freePort()
    const app = await buildTestApp()
    await app.listen({ port, host: '127.0.0.1' })

    const discovered = new URL(`http://127.0.0.1:${port}`)
    const response = await oauth.discoveryRequest(discovered, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true })
    await expect(oauth.processDiscoveryResponse(discovered, response)).rejects.toMatchObject({ code: oauth.JSON_ATTRIBUTE_COMPARISON })
  })
})

describe('health routes', () => {
  const app = suiteApp()

  it.each(['/health/live', '/health/ready'])('%s answers ok', async (url) => {
    const response = await app().inject(url)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('answers unknown routes with the error contract', async () => {
    const response = await app().inject('/nope?x=1')
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ statusCode: 404, code: 'not_found', error: 'Not Found', message: 'Route GET /nope not found' })
  })
})
