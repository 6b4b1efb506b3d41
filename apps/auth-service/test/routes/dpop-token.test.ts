import { decodeJwt, generateSecret } from 'jose'
import { describe, expect, it } from 'vitest'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { addBrowserClient, codeFor, exchangeFields, tokenRequest, type App } from '../authorization/browser-flow.js'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { ISSUER, buildTestApp, captureLogs, suiteApp } from '../helper.js'
import { basic, machineClient } from '../dpop/machine-client.js'
import { NOW, TOKEN_URL, makeProof, proofKey, unsignedProof, type ProofKey } from '../dpop/proofs.js'

const INVALID_PROOF = { error: 'invalid_dpop_proof', error_description: 'The DPoP proof is invalid' }
const INVALID_REFRESH = { error: 'invalid_grant', error_description: 'The refresh token is invalid' }
const INVALID_CODE = { error: 'invalid_grant', error_description: 'The authorization code is invalid' }
/** DPOP_IAT_WINDOW + CLOCK_TOLERANCE, both at their defaults. */
const IAT_LEEWAY = 60 + 60

const clientCredentials = (app: App, headers: Record<string, string | string[]>) =>
  app.inject({
    method: 'POST',
    url: TOKEN_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: 'grant_type=client_credentials'
  })

describe.each(ENGINES)('DPoP at POST /oauth/token on %s', (engine: Engine) => {
  const app = suiteApp(() => engineEnv(engine), { now: () => NOW })

  it('binds a client_credentials token to the proof\'s key: token_type DPoP, cnf.jkt its thumbprint', async () => {
    const headers = await machineClient(app(), 'bound-bot')
    const key = await proofKey()
    const response = await clientCredentials(app(), { ...headers, dpop: await makeProof(key) })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ access_token: expect.any(String), token_type: 'DPoP', expires_in: 900, scope: 'reports:read' })
    expect(decodeJwt(response.json().access_token)).toMatchObject({ sub: 'bound-bot', cnf: { jkt: key.jkt } })
    // No nonces unless DPOP_NONCE=true.
    expect(response.headers['dpop-nonce']).toBeUndefined()
  })

  it('without a proof, a bearer token as before: no cnf', async () => {
    const headers = await machineClient(app(), 'bearer-bot')
    const response = await clientCredentials(app(), headers)
    expect(response.json().token_type).toBe('Bearer')
    expect(decodeJwt(response.json().access_token)).not.toHaveProperty('cnf')
  })

  it.each(['RS256', 'PS256', 'EdDSA'])('accepts a proof signed with %s', async (alg) => {
    const headers = await machineClient(app(), `bot-${alg}`)
    const key = await proofKey(alg)
    const response = await clientCredentials(app(), { ...headers, dpop: await makeProof(key) })
    expect(response.statusCode).toBe(200)
    expect(decodeJwt(response.json().access_token).cnf).toEqual({ jkt: key.jkt })
  })

  it('refuses a proof presented twice (same jti): invalid_dpop_proof', async () => {
    const headers = await machineClient(app(), 'replay-bot')
    const proof = await makeProof(await proofKey())
    expect((await clientCredentials(app(), { ...headers, dpop: proof })).statusCode).toBe(200)
    const replayed = await clientCredentials(app(), { ...headers, dpop: proof })
    expect(replayed.statusCode).toBe(400)
    expect(replayed.json()).toEqual(INVALID_PROOF)
    expect(replayed.headers['cache-control']).toBe('no-store')
  })

  it(`accepts an iat ${IAT_LEEWAY} s away, either way (the window plus the clock tolerance)`, async () => {
    const headers = await machineClient(app(), 'edge-bot')
    const key = await proofKey()
    const iat = Math.floor(NOW / 1000)
    for (const offset of [-IAT_LEEWAY, IAT_LEEWAY]) {
      const response = await clientCredentials(app(), { ...headers, dpop: await makeProof(key, { claims: { iat: iat + offset } }) })
      expect(response.statusCode).toBe(200)
    }
  })

  it.each<[string, (key: ProofKey) => Promise<string | string[]>]>([
    ['a proof for another method', (key) => makeProof(key, { claims: { htm: 'GET' } })],
    ['a proof for another URL', (key) => makeProof(key, { claims: { htu: `${ISSUER}/oauth/revoke` } })],
    ['a proof for another server', (key) => makeProof(key, { claims: { htu: `https://other.example${TOKEN_PATH}` } })],
    ['an htu with a query', (key) => makeProof(key, { claims: { htu: `${TOKEN_URL}?x=1` } })],
    ['an htu with a fragment', (key) => makeProof(key, { claims: { htu: `${TOKEN_URL}#x` } })],
    ['a stale iat', (key) => makeProof(key, { claims: { iat: Math.floor(NOW / 1000) - IAT_LEEWAY - 1 } })],
    ['an iat from the future', (key) => makeProof(key, { claims: { iat: Math.floor(NOW / 1000) + IAT_LEEWAY + 1 } })],
    ['no jti', (key) => makeProof(key, { claims: { jti: undefined } })],
    ['alg none', async (key) => unsignedProof(key)],
    ['HS256', async (key) => makeProof(key, { header: { alg: 'HS256' }, signingKey: await generateSecret('HS256') })],
    ['a jwk with its private members', (key) => makeProof(key, { header: { jwk: key.privateJwk } })],
    ['a signature by another key than its jwk', async (key) => makeProof(key, { signingKey: (await proofKey()).privateKey })],
    ['typ JWT', (key) => makeProof(key, { header: { typ: 'JWT' } })],
    ['two DPoP headers', async (key) => [await makeProof(key), await makeProof(key)]],
    ['a DPoP header that is not a JWS', async () => 'not-a-proof'],
    ['an empty DPoP header', async () => '']
  ])('refuses %s: 400 invalid_dpop_proof', async (_case, make) => {
    const headers = await machineClient(app(), `bot-${crypto.randomUUID()}`)
    const response = await clientCredentials(app(), { ...headers, dpop: await make(await proofKey()) })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual(INVALID_PROOF)
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('refuses a bearer grant for a client registered with --require-dpop, and grants a bound one', async () => {
    const headers = await machineClient(app(), 'strict-bot', { dpopBoundAccessTokens: true })
    const bearer = await clientCredentials(app(), headers)
    expect(bearer.statusCode).toBe(400)
    expect(bearer.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'A DPoP proof is required for this client' })
    const bound = await clientCredentials(app(), { ...headers, dpop: await makeProof(await proofKey()) })
    expect(bound.statusCode).toBe(200)
    expect(bound.json().token_type).toBe('DPoP')
  })

  describe('the code flow of a public client', () => {
    it('binds the access token and the refresh tokens to the key; a refresh needs a proof by it', async () => {
      await addBrowserClient(app(), 'spa-bound')
      const key = await proofKey()
      const { code, verifier } = await codeFor(app(), 'spa-bound', 'Jane', NOW)
      const exchanged = await tokenRequest(app(), exchangeFields('spa-bound', code, verifier), { dpop: await makeProof(key) })
      expect(exchanged.statusCode).toBe(200)
      expect(exchanged.json()).toMatchObject({ token_type: 'DPoP', refresh_token: expect.any(String), id_token: expect.any(String) })
      expect(decodeJwt(exchanged.json().access_token).cnf).toEqual({ jkt: key.jkt })

      const refresh = { grant_type: 'refresh_token', client_id: 'spa-bound', refresh_token: exchanged.json().refresh_token }
      const without = await tokenRequest(app(), refresh)
      expect(without.statusCode).toBe(400)
      expect(without.json()).toEqual(INVALID_REFRESH)
      const otherKey = await tokenRequest(app(), refresh, { dpop: await makeProof(await proofKey()) })
      expect(otherKey.statusCode).toBe(400)
      expect(otherKey.json()).toEqual(INVALID_REFRESH)

      // The refusals left it unused: its owner still refreshes, and the successor is bound too.
      const refreshed = await tokenRequest(app(), refresh, { dpop: await makeProof(key) })
      expect(refreshed.statusCode).toBe(200)
      expect(refreshed.json().token_type).toBe('DPoP')
      expect(decodeJwt(refreshed.json().access_token).cnf).toEqual({ jkt: key.jkt })
      const successor = { ...refresh, refresh_token: refreshed.json().refresh_token }
      expect((await tokenRequest(app(), successor)).json()).toEqual(INVALID_REFRESH)
      expect((await tokenRequest(app(), successor, { dpop: await makeProof(key) })).statusCode).toBe(200)
    })

    it('a refresh token issued without a proof stays a bearer one', async () => {
      await addBrowserClient(app(), 'spa-bearer')
      const { code, verifier } = await codeFor(app(), 'spa-bearer', 'Jane', NOW)
      const exchanged = await tokenRequest(app(), exchangeFields('spa-bearer', code, verifier))
      expect(exchanged.json().token_type).toBe('Bearer')
      const refresh = { grant_type: 'refresh_token', client_id: 'spa-bearer', refresh_token: exchanged.json().refresh_token }
      const refreshed = await tokenRequest(app(), refresh)
      expect(refreshed.statusCode).toBe(200)
      expect(refreshed.json().token_type).toBe('Bearer')
    })

    it('a confidential client\'s refresh tokens are not bound (its secret guards them), its access tokens are', async () => {
      const { secret } = await addBrowserClient(app(), 'web-conf', { authMethod: 'client_secret_basic' })
      const authorization = basic('web-conf', secret as string)
      const key = await proofKey()
      const { code, verifier } = await codeFor(app(), 'web-conf', 'Jane', NOW)
      const { client_id: _, ...fields } = exchangeFields('web-conf', code, verifier)
      const exchanged = await tokenRequest(app(), fields, { authorization, dpop: await makeProof(key) })
      expect(exchanged.json().token_type).toBe('DPoP')
      const refreshed = await tokenRequest(app(),
        { grant_type: 'refresh_token', refresh_token: exchanged.json().refresh_token }, { authorization })
      expect(refreshed.statusCode).toBe(200)
      expect(refreshed.json().token_type).toBe('Bearer')
    })

    it('a code asked for with dpop_jkt is exchanged only with a proof by that key', async () => {
      await addBrowserClient(app(), 'spa-jkt')
      const key = await proofKey()
      const { code, verifier } = await codeFor(app(), 'spa-jkt', 'Jane', NOW, { dpop_jkt: key.jkt })
      const fields = exchangeFields('spa-jkt', code, verifier)
      const without = await tokenRequest(app(), fields)
      expect(without.statusCode).toBe(400)
      expect(without.json()).toEqual(INVALID_CODE)
      const otherKey = await tokenRequest(app(), fields, { dpop: await makeProof(await proofKey()) })
      expect(otherKey.statusCode).toBe(400)
      expect(otherKey.json()).toEqual(INVALID_CODE)
      // Refused, the code stayed unused.
      const exchanged = await tokenRequest(app(), fields, { dpop: await makeProof(key) })
      expect(exchanged.statusCode).toBe(200)
      expect(decodeJwt(exchanged.json().access_token).cnf).toEqual({ jkt: key.jkt })
    })
  })
})

describe('DPoP refusals in the log', () => {
  it('name the failed check; the proof never reaches the log', async () => {
    const logs = captureLogs()
    const app = await buildTestApp({}, { now: () => NOW, logger: logs.logger })
    const headers = await machineClient(app, 'logged-bot')
    const proof = await makeProof(await proofKey(), { claims: { htm: 'GET' } })
    const response = await clientCredentials(app, { ...headers, dpop: proof })
    expect(response.json()).toEqual(INVALID_PROOF)
    const refusal = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'OAuth request refused')
    expect(refusal).toMatchObject({ error: 'invalid_dpop_proof', reason: 'htm GET is not the request\'s method POST' })
    const [, payload, signature] = proof.split('.')
    for (const part of [payload, signature]) expect(logs.lines.join('')).not.toContain(part)
  })
})
