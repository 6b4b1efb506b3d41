import { once } from 'node:events'
import { createServer } from 'node:net'
import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { ISSUER, buildTestApp, login, suiteApp } from '../helper.js'

/** Everything the service does, and nothing else: the same on every deployment. */
const AUTHORIZATION_SERVER_METADATA = {
  issuer: ISSUER,
  jwks_uri: `${ISSUER}/.well-known/jwks.json`,
  token_endpoint: `${ISSUER}/oauth/token`,
  revocation_endpoint: `${ISSUER}/oauth/revoke`,
  response_types_supported: [],
  grant_types_supported: ['client_credentials', 'refresh_token'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
  token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
  revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
  revocation_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
  scopes_supported: ['reports:read', 'reports:write']
}

const OPENID_CONFIGURATION = {
  ...AUTHORIZATION_SERVER_METADATA,
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256']
}

describe.each(['RS256', 'ES256'])('the metadata documents with SIGNING_ALG=%s', (alg) => {
  const app = suiteApp({ SIGNING_ALG: alg })

  it.each([
    ['/.well-known/oauth-authorization-server', AUTHORIZATION_SERVER_METADATA],
    ['/.well-known/openid-configuration', OPENID_CONFIGURATION]
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
