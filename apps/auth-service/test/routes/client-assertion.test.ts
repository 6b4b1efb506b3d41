import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { describe, expect, it } from 'vitest'
import { ISSUER, buildTestApp, suiteApp } from '../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const INVALID_CLIENT = { error: 'invalid_client', error_description: 'Client authentication failed' }
const TOO_MANY_ATTEMPTS = { error: 'temporarily_unavailable', error_description: 'Too many attempts, retry later' }

async function addKeyClient (app: App, clientId: string): Promise<CryptoKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  const jwk = { ...await exportJWK(publicKey), kid: 'k1', alg: 'ES256', use: 'sig' }
  await app.clients.add({
    clientId,
    authMethod: 'private_key_jwt',
    jwks: { keys: [jwk] },
    jwksUri: undefined,
    scope: 'reports:read',
    audience: 'reports-api',
    grantTypes: ['client_credentials']
  }, Date.now())
  return privateKey
}

interface AssertionOptions { audience?: string | string[], subject?: string }

/** A client assertion as oauth4webapi makes one (`aud` the issuer), with `aud` and `sub` replaceable. */
function assertion (clientId: string, key: CryptoKey, options: AssertionOptions = {}) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(clientId).setSubject(options.subject ?? clientId).setAudience(options.audience ?? ISSUER)
    .setIssuedAt(now).setExpirationTime(now + 60).setJti(crypto.randomUUID()).sign(key)
}

function send (app: App, url: string, fields: Record<string, string>, signed: string) {
  const payload = new URLSearchParams({ ...fields, client_assertion_type: ASSERTION_TYPE, client_assertion: signed })
  const headers = { 'content-type': 'application/x-www-form-urlencoded' }
  return app.inject({ method: 'POST', url, headers, payload: payload.toString() })
}

const TOKEN_REQUEST = { grant_type: 'client_credentials' }
/** An unknown token: RFC 7009 answers 200 once the client is authenticated. */
const REVOCATION_REQUEST = { token: 'no-such-token' }
/** An unknown token: RFC 7662 answers `{ active: false }` once the client is authenticated. */
const INTROSPECTION_REQUEST = { token: 'no-such-token' }

describe('the audience of a client assertion: the issuer identifier, as a string', () => {
  const app = suiteApp()

  it.each([
    ['/oauth/token', TOKEN_REQUEST],
    ['/oauth/revoke', REVOCATION_REQUEST],
    ['/oauth/introspect', INTROSPECTION_REQUEST]
  ])('accepts aud = the issuer at %s', async (url, fields) => {
    const clientId = `aud-${crypto.randomUUID()}`
    const key = await addKeyClient(app(), clientId)
    const response = await send(app(), url, fields, await assertion(clientId, key))
    expect(response.statusCode).toBe(200)
  })

  it.each<[string, string, Record<string, string>, string | string[]]>([
    ['an array holding only the issuer', '/oauth/token', TOKEN_REQUEST, [ISSUER]],
    ['an array of the issuer and another server', '/oauth/token', TOKEN_REQUEST, [ISSUER, 'https://attacker.example']],
    ['the token endpoint URL', '/oauth/token', TOKEN_REQUEST, `${ISSUER}/oauth/token`],
    ['the revocation endpoint URL', '/oauth/revoke', REVOCATION_REQUEST, `${ISSUER}/oauth/revoke`],
    ['the token endpoint URL at the revocation endpoint', '/oauth/revoke', REVOCATION_REQUEST, `${ISSUER}/oauth/token`],
    ['the introspection endpoint URL', '/oauth/introspect', INTROSPECTION_REQUEST, `${ISSUER}/oauth/introspect`],
    ['the issuer with a trailing slash', '/oauth/token', TOKEN_REQUEST, `${ISSUER}/`]
  ])('refuses %s with 401 invalid_client', async (_case, url, fields, audience) => {
    const clientId = `aud-${crypto.randomUUID()}`
    const key = await addKeyClient(app(), clientId)
    const response = await send(app(), url, fields, await assertion(clientId, key, { audience }))
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual(INVALID_CLIENT)
    expect(response.headers['cache-control']).toBe('no-store')
    // The client authenticated in the body: no challenge for a scheme it does not use.
    expect(response.headers['www-authenticate']).toBeUndefined()
  })
})

describe('brute force with client assertions', () => {
  it('counts failures against the assertion\'s iss: the 6th badly signed one is 429, whatever its sub', async () => {
    const app = await buildTestApp()
    await addKeyClient(app, 'jwt-bot')
    const { privateKey: wrongKey } = await generateKeyPair('ES256')
    const attempt = async (i: number) =>
      send(app, '/oauth/token', TOKEN_REQUEST, await assertion('jwt-bot', wrongKey, { subject: `someone-${i}` }))
    for (let i = 0; i < 5; i++) {
      const refused = await attempt(i)
      expect(refused.statusCode).toBe(401)
      expect(refused.json()).toEqual(INVALID_CLIENT)
    }
    const limited = await attempt(5)
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toMatch(/^\d+$/)
    expect(limited.json()).toEqual(TOO_MANY_ATTEMPTS)
  })
})
