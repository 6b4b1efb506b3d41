import { describe, expect, it } from 'vitest'
import { PAR_PATH, PAR_REQUEST_URI_PREFIX } from '@repo/contracts/authorization'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { ISSUER, buildTestApp } from '../helper.js'
import { NOW, makeProof, proofKey } from '../dpop/proofs.js'
import {
  REDIRECT_URI, addBrowserClient, authorize, exchangeFields, expectClientRedirect, expectErrorPage, pkce,
  sessionCookie, tokenRequest, type App
} from '../authorization/browser-flow.js'

function push (app: App, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: PAR_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString()
  })
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

const pushedFields = (clientId: string, challenge: string) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: REDIRECT_URI,
  scope: 'openid reports:read',
  state: 'pushed-state',
  nonce: 'n',
  code_challenge: challenge,
  code_challenge_method: 'S256'
})

describe.each(ENGINES)('POST /par on %s', (engine: Engine) => {
  it('a pushed request starts /authorize once by its request_uri; the code exchange follows', async () => {
    const app = await buildTestApp(await engineEnv(engine))
    await addBrowserClient(app, 'par-spa', { requirePar: true })
    const { challenge, verifier } = pkce()
    const pushed = await push(app, pushedFields('par-spa', challenge))
    expect(pushed.statusCode).toBe(201)
    expect(pushed.headers['cache-control']).toBe('no-store')
    const { request_uri: requestUri, expires_in: expiresIn } = pushed.json()
    expect(expiresIn).toBe(60)
    expect(requestUri.startsWith(PAR_REQUEST_URI_PREFIX)).toBe(true)

    const cookie = await sessionCookie(app, 'Jane', Date.now())
    // RFC 9126 §4: only client_id is read beside request_uri; other parameters in the query are ignored.
    const query = new URLSearchParams({ client_id: 'par-spa', request_uri: requestUri, state: 'ignored' }).toString()
    const response = await authorize(app, query, cookie)
    const code = expectClientRedirect(response, { code: expect.any(String), state: 'pushed-state' }).get('code') as string
    expect((await tokenRequest(app, exchangeFields('par-spa', code, verifier))).statusCode).toBe(200)

    // Used once: the second time it is the error page.
    expectErrorPage(await authorize(app, query, cookie))
  })

  it('a pushed dpop_jkt binds the code: its exchange needs a proof by that key (RFC 9449 §10)', async () => {
    const app = await buildTestApp(await engineEnv(engine), { now: () => NOW })
    await addBrowserClient(app, 'par-dpop')
    const key = await proofKey()
    const { challenge, verifier } = pkce()
    const pushed = await push(app, { ...pushedFields('par-dpop', challenge), dpop_jkt: key.jkt })
    const query = new URLSearchParams({ client_id: 'par-dpop', request_uri: pushed.json().request_uri }).toString()
    const response = await authorize(app, query, await sessionCookie(app, 'Jane', NOW))
    const code = expectClientRedirect(response, { code: expect.any(String), state: 'pushed-state' }).get('code') as string
    const without = await tokenRequest(app, exchangeFields('par-dpop', code, verifier))
    expect(without.statusCode).toBe(400)
    expect(without.json()).toEqual({ error: 'invalid_grant', error_description: 'The authorization code is invalid' })
    const bound = await tokenRequest(app, exchangeFields('par-dpop', code, verifier), { dpop: await makeProof(key) })
    expect(bound.statusCode).toBe(200)
    expect(bound.json().token_type).toBe('DPoP')
  })

  it('a DPoP proof sent with the pushed request binds the code to its key (RFC 9449 §10.1)', async () => {
    const app = await buildTestApp(await engineEnv(engine), { now: () => NOW })
    await addBrowserClient(app, 'par-proof')
    const key = await proofKey()
    const { challenge, verifier } = pkce()
    const atPar = { claims: { htu: `${ISSUER}${PAR_PATH}` } }
    const pushed = await push(app, pushedFields('par-proof', challenge), { dpop: await makeProof(key, atPar) })
    expect(pushed.statusCode).toBe(201)
    const query = new URLSearchParams({ client_id: 'par-proof', request_uri: pushed.json().request_uri }).toString()
    const response = await authorize(app, query, await sessionCookie(app, 'Jane', NOW))
    const code = expectClientRedirect(response, { code: expect.any(String), state: 'pushed-state' }).get('code') as string
    const without = await tokenRequest(app, exchangeFields('par-proof', code, verifier))
    expect(without.json()).toEqual({ error: 'invalid_grant', error_description: 'The authorization code is invalid' })
    const bound = await tokenRequest(app, exchangeFields('par-proof', code, verifier), { dpop: await makeProof(key) })
    expect(bound.statusCode).toBe(200)

    // A dpop_jkt beside it must name the same key; a proof made for the token endpoint is no proof here.
    const other = (await proofKey()).jkt
    const mismatched = await push(app, { ...pushedFields('par-proof', challenge), dpop_jkt: other },
      { dpop: await makeProof(key, atPar) })
    expect(mismatched.statusCode).toBe(400)
    expect(mismatched.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof is invalid' })
    const forToken = await push(app, pushedFields('par-proof', challenge), { dpop: await makeProof(key) })
    expect(forToken.statusCode).toBe(400)
    expect(forToken.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof is invalid' })
  })

  it('a request_uri of another client, unknown, or older than 60 s: the error page', async () => {
    let clock = Date.now()
    const app = await buildTestApp(await engineEnv(engine), { now: () => clock })
    await addBrowserClient(app, 'par-a')
    await addBrowserClient(app, 'par-b')
    const { challenge } = pkce()
    const requestUri = (await push(app, pushedFields('par-a', challenge))).json().request_uri as string
    const query = (clientId: string, uri: string) => new URLSearchParams({ client_id: clientId, request_uri: uri }).toString()
    expectErrorPage(await authorize(app, query('par-b', requestUri)))
    expectErrorPage(await authorize(app, query('par-a', `${PAR_REQUEST_URI_PREFIX}unknown`)))
    expectErrorPage(await authorize(app, query('par-a', requestUri.slice(PAR_REQUEST_URI_PREFIX.length))))
    clock += 60_000
    expectErrorPage(await authorize(app, query('par-a', requestUri)))
  })

  it('authenticates a confidential client as the token endpoint does', async () => {
    const app = await buildTestApp(await engineEnv(engine))
    const { secret } = await addBrowserClient(app, 'par-web', { authMethod: 'client_secret_basic' })
    const { challenge } = pkce()
    const { client_id: _ignored, ...fields } = pushedFields('par-web', challenge)
    expect((await push(app, fields, { authorization: basic('par-web', secret as string) })).statusCode).toBe(201)
    const wrong = await push(app, fields, { authorization: basic('par-web', 'wrong') })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().error).toBe('invalid_client')
    const anonymous = await push(app, pushedFields('par-web', challenge))
    expect(anonymous.statusCode).toBe(401)
  })

  it.each<[string, Record<string, string | undefined>, number, string]>([
    ['a request_uri inside the pushed request', { request_uri: `${PAR_REQUEST_URI_PREFIX}x` }, 400, 'invalid_request'],
    ['an unregistered redirect URI', { redirect_uri: `${REDIRECT_URI}/` }, 400, 'invalid_request'],
    ['no PKCE', { code_challenge: undefined }, 400, 'invalid_request'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 400, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 400, 'unsupported_response_type'],
    ['a scope the client may not have', { scope: 'admin' }, 400, 'invalid_scope'],
    ['a dpop_jkt that is no thumbprint', { dpop_jkt: 'abc' }, 400, 'invalid_request'],
    ['an unknown client', { client_id: 'nobody' }, 401, 'invalid_client'],
    ['the login\'s own client', { client_id: 'demo-client' }, 401, 'invalid_client']
  ])('refuses %s in JSON', async (_name, overrides, status, error) => {
    const app = await buildTestApp(await engineEnv(engine))
    await addBrowserClient(app, 'par-spa')
    const { challenge } = pkce()
    const fields: Record<string, string> = {}
    for (const [name, value] of Object.entries({ ...pushedFields('par-spa', challenge), ...overrides })) {
      if (value !== undefined) fields[name] = value
    }
    const response = await push(app, fields)
    expect(response.statusCode).toBe(status)
    expect(response.json()).toEqual({ error, error_description: expect.any(String) })
    expect(response.headers.location).toBeUndefined()
  })

  it('parameters in the query string are refused, as at the token endpoint', async () => {
    const app = await buildTestApp(await engineEnv(engine))
    const response = await app.inject({ method: 'POST', url: `${PAR_PATH}?client_id=x` })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toBe('invalid_request')
  })
})
