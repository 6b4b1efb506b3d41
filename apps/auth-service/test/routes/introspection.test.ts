import { decodeJwt, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { END_SESSION_PATH } from '@repo/contracts/authorization'
import { INTROSPECTION_PATH, REVOCATION_PATH } from '@repo/contracts/oauth'
import { createKeyLifecycle } from '../../src/keys/create-key-lifecycle.js'
import {
  addBrowserClient, codeFor, exchangeFields, tokenRequest, type App
} from '../authorization/browser-flow.js'
import { ENGINES, databaseEnv, engineEnv, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { basic, machineClient } from '../dpop/machine-client.js'
import { NOW, makeProof, proofKey } from '../dpop/proofs.js'
import { AUDIENCE, ISSUER, buildTestApp, captureLogs, testConfig } from '../helper.js'
import { testCustody } from '../test-custody.js'

const INACTIVE = { active: false }
const INVALID_CLIENT = { error: 'invalid_client', error_description: 'Client authentication failed' }
const TTL = 900
const SECOND = 1000

type Headers = Record<string, string>

function introspect (app: App, fields: Record<string, string>, headers: Headers = {}) {
  return app.inject({
    method: 'POST',
    url: INTROSPECTION_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString()
  })
}

/** An answer is 200, never cached, and exactly `body`. */
function expectAnswer (response: Awaited<ReturnType<typeof introspect>>, body: object) {
  expect({
    status: response.statusCode,
    cacheControl: response.headers['cache-control'],
    contentType: response.headers['content-type'],
    body: response.json()
  }).toEqual({ status: 200, cacheControl: 'no-store', contentType: 'application/json; charset=utf-8', body })
}

describe.each(ENGINES)('POST /oauth/introspect (RFC 7662), on %s', (engine: Engine) => {
  /** An app on a fake clock at NOW, with its clients: two machines of two audiences, a resource server, a web app. */
  async function world (env: Record<string, string> = {}, overrides: Parameters<typeof buildTestApp>[1] = {}) {
    const clock = { ms: NOW }
    const app = await buildTestApp({ ...await engineEnv(engine), ...env }, { now: () => clock.ms, ...overrides })
    const reportsBot = await machineClient(app, 'reports-bot')
    const billingBot = await machineClient(app, 'billing-bot', { audience: 'billing-api' })
    // A resource server (the consumer's audience) that cannot verify JWTs: it only introspects.
    const consumer = await machineClient(app, 'consumer-rs', { audience: AUDIENCE })
    const { secret } = await addBrowserClient(app, 'web', { authMethod: 'client_secret_basic' })
    const web = { authorization: basic('web', secret as string) }
    return { app, clock, reportsBot, billingBot, consumer, web }
  }

  async function machineToken (app: App, client: Headers, proof?: string) {
    const response = await tokenRequest(app, { grant_type: 'client_credentials' }, { ...client, ...proof ? { dpop: proof } : {} })
    expect(response.statusCode).toBe(200)
    return response.json().access_token as string
  }

  /** Jane logs in at `web` through the browser: its tokens, and the session cookie. */
  async function browserLogin (app: App, web: Headers, at: number) {
    const { code, verifier, cookie } = await codeFor(app, 'web', 'Jane', at)
    const response = await tokenRequest(app, exchangeFields('web', code, verifier), web)
    expect(response.statusCode).toBe(200)
    const { access_token: accessToken, refresh_token: refreshToken, id_token: idToken } = response.json()
    return { accessToken: accessToken as string, refreshToken: refreshToken as string, idToken: idToken as string, cookie }
  }

  it('answers an active access token to the client it was issued to: its claims, exactly, whatever the hint', async () => {
    const { app, reportsBot } = await world()
    const token = await machineToken(app, reportsBot)
    const claims = decodeJwt(token)
    const expected = {
      active: true,
      scope: 'reports:read',
      client_id: 'reports-bot',
      token_type: 'Bearer',
      exp: NOW / SECOND + TTL,
      iat: NOW / SECOND,
      nbf: NOW / SECOND,
      sub: 'reports-bot',
      aud: 'reports-api',
      iss: ISSUER,
      jti: claims.jti
    }
    // A hint is only a hint (§2.1): a wrong or unknown one still finds the token.
    for (const hint of [undefined, 'access_token', 'refresh_token', 'id_token']) {
      expectAnswer(await introspect(app, { token, ...hint ? { token_type_hint: hint } : {} }, reportsBot), expected)
    }
  })

  it('answers a browser session\'s access token, with its sid, to a resource server of its audience', async () => {
    const { app, consumer, web } = await world()
    const { accessToken, idToken } = await browserLogin(app, web, NOW)
    const jane = await app.users.find('Jane')
    const expected = {
      active: true,
      scope: 'openid reports:read',
      client_id: 'web',
      token_type: 'Bearer',
      exp: NOW / SECOND + TTL,
      iat: NOW / SECOND,
      nbf: NOW / SECOND,
      sub: jane?.id,
      aud: AUDIENCE,
      iss: ISSUER,
      jti: decodeJwt(accessToken).jti,
      sid: decodeJwt(idToken).sid
    }
    expect(expected.sid).toEqual(expect.any(String))
    expectAnswer(await introspect(app, { token: accessToken }, consumer), expected)
    // Its own client sees it too.
    expectAnswer(await introspect(app, { token: accessToken }, web), expected)
  })

  it('answers an active refresh token to its own client only, whatever the hint', async () => {
    const { app, consumer, reportsBot, web } = await world()
    const { refreshToken, idToken } = await browserLogin(app, web, NOW)
    const idleSeconds = testConfig().refreshTokenIdleTtlSeconds
    const expected = {
      active: true,
      scope: 'openid reports:read',
      client_id: 'web',
      exp: NOW / SECOND + idleSeconds,
      iat: NOW / SECOND,
      sub: (await app.users.find('Jane'))?.id,
      iss: ISSUER,
      sid: decodeJwt(idToken).sid
    }
    for (const hint of [undefined, 'refresh_token', 'access_token']) {
      expectAnswer(await introspect(app, { token: refreshToken, ...hint ? { token_type_hint: hint } : {} }, web), expected)
    }
    // A resource server of its audience, another machine: a refresh token is its client's alone.
    expectAnswer(await introspect(app, { token: refreshToken }, consumer), INACTIVE)
    expectAnswer(await introspect(app, { token: refreshToken }, reportsBot), INACTIVE)
  })

  it('answers { active: false } for another client\'s token, of another audience', async () => {
    const { app, reportsBot, billingBot, web } = await world()
    const token = await machineToken(app, reportsBot)
    const { accessToken } = await browserLogin(app, web, NOW)
    expectAnswer(await introspect(app, { token }, billingBot), INACTIVE)
    expectAnswer(await introspect(app, { token }, web), INACTIVE)
    expectAnswer(await introspect(app, { token: accessToken }, reportsBot), INACTIVE)
  })

  it('answers { active: false } from the second an access token expires, and a refresh token idle too long', async () => {
    const { app, clock, reportsBot, web } = await world()
    const token = await machineToken(app, reportsBot)
    const { refreshToken } = await browserLogin(app, web, NOW)
    clock.ms = NOW + TTL * SECOND - 1
    expect((await introspect(app, { token }, reportsBot)).json()).toMatchObject({ active: true })
    // At `exp`, though resource servers would still accept it within CLOCK_TOLERANCE.
    clock.ms = NOW + TTL * SECOND
    expectAnswer(await introspect(app, { token }, reportsBot), INACTIVE)
    clock.ms = NOW + (TTL + 3600) * SECOND
    expectAnswer(await introspect(app, { token }, reportsBot), INACTIVE)
    clock.ms = NOW + testConfig().refreshTokenIdleTtlSeconds * SECOND - 1
    expect((await introspect(app, { token: refreshToken }, web)).json()).toMatchObject({ active: true })
    clock.ms += 1
    expectAnswer(await introspect(app, { token: refreshToken }, web), INACTIVE)
  })

  it('answers { active: false } for a rotated refresh token and for a family revoked through RFC 7009', async () => {
    const { app, consumer, web } = await world()
    const { refreshToken, accessToken } = await browserLogin(app, web, NOW)
    const rotated = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, web)
    const successor = rotated.json().refresh_token as string
    expectAnswer(await introspect(app, { token: refreshToken }, web), INACTIVE)
    expect((await introspect(app, { token: successor }, web)).json()).toMatchObject({ active: true })
    const revoked = await app.inject({
      method: 'POST',
      url: REVOCATION_PATH,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...web },
      payload: new URLSearchParams({ token: successor }).toString()
    })
    expect(revoked.statusCode).toBe(200)
    expectAnswer(await introspect(app, { token: successor }, web), INACTIVE)
    // The access token names its session, not its family: it lives on until it expires or the session ends.
    expect((await introspect(app, { token: accessToken }, consumer)).json()).toMatchObject({ active: true })
  })

  it('answers { active: false } for the access and refresh tokens of a session ended by a logout', async () => {
    const { app, consumer, web } = await world()
    const { accessToken, refreshToken, idToken, cookie } = await browserLogin(app, web, NOW)
    // Another session of the same user: not ended.
    const other = await browserLogin(app, web, NOW)
    const logout = await app.inject({
      method: 'GET',
      url: `${END_SESSION_PATH}?${new URLSearchParams({ id_token_hint: idToken })}`,
      headers: { cookie }
    })
    expect(logout.statusCode).toBe(200)
    expect(logout.body).toContain('You are signed out')
    expectAnswer(await introspect(app, { token: accessToken }, consumer), INACTIVE)
    expectAnswer(await introspect(app, { token: refreshToken }, web), INACTIVE)
    expect((await introspect(app, { token: other.accessToken }, consumer)).json()).toMatchObject({ active: true })
    expect((await introspect(app, { token: other.refreshToken }, web)).json()).toMatchObject({ active: true })
  })

  it('answers a DPoP-bound access token with token_type DPoP and its cnf', async () => {
    const { app, reportsBot } = await world()
    const key = await proofKey()
    const token = await machineToken(app, reportsBot, await makeProof(key))
    const response = await introspect(app, { token }, reportsBot)
    expectAnswer(response, {
      active: true,
      scope: 'reports:read',
      client_id: 'reports-bot',
      token_type: 'DPoP',
      exp: NOW / SECOND + TTL,
      iat: NOW / SECOND,
      nbf: NOW / SECOND,
      sub: 'reports-bot',
      aud: 'reports-api',
      iss: ISSUER,
      jti: decodeJwt(token).jti,
      cnf: { jkt: key.jkt }
    })
  })

  it('answers { active: false } for unknown and malformed tokens', async () => {
    const { app, reportsBot } = await world()
    const token = await machineToken(app, reportsBot)
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const otherSub = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: 'billing-bot' })).toString('base64url')
    const { privateKey } = await generateKeyPair('RS256')
    const forged = await new SignJWT({ ...decodeJwt(token) })
      .setProtectedHeader({ ...JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string } })
      .sign(privateKey)
    const unknown = [
      'no-such-token',
      'a.b.c',
      `${header}.${otherSub}.${signature}`,
      // Another first character: always other bytes (a changed last one may only touch padding bits, or match).
      `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
      forged,
      `${header}.${payload}.`,
      'x'.repeat(4096)
    ]
    for (const candidate of unknown) expectAnswer(await introspect(app, { token: candidate }, reportsBot), INACTIVE)
  })

  it.each<[string, Record<string, string>, Headers, number, object, string | undefined]>([
    ['no client authentication', { token: 'x' }, {}, 401, INVALID_CLIENT, 'Basic realm="token"'],
    ['a wrong secret', { token: 'x' }, { authorization: basic('reports-bot', 'wrong') }, 401, INVALID_CLIENT, 'Basic realm="token"'],
    ['an unknown client', { token: 'x' }, { authorization: basic('nobody', 'x') }, 401, INVALID_CLIENT, 'Basic realm="token"'],
    ['a registered public client', { token: 'x', client_id: 'spa' }, {}, 401, INVALID_CLIENT, 'Basic realm="token"'],
    ['the login\'s own public client', { token: 'x', client_id: 'demo-client' }, {}, 401, INVALID_CLIENT, 'Basic realm="token"'],
    ['a public client without a token', { client_id: 'spa' }, {}, 401, INVALID_CLIENT, 'Basic realm="token"'],
    ['no token', {}, { authorization: 'reports-bot' }, 400, { error: 'invalid_request', error_description: 'token is required' }, undefined],
    ['a body larger than the OAuth endpoints take', { token: 'x'.repeat(8193) }, { authorization: 'reports-bot' }, 413,
      { error: 'invalid_request', error_description: 'The request body is too large' }, undefined]
  ])('refuses %s', async (_case, fields, headers, status, body, challenge) => {
    const { app, reportsBot } = await world()
    await addBrowserClient(app, 'spa')
    const resolved = headers.authorization === 'reports-bot' ? reportsBot : headers
    const response = await introspect(app, fields, resolved)
    expect({
      status: response.statusCode,
      body: response.json(),
      challenge: response.headers['www-authenticate'],
      cacheControl: response.headers['cache-control']
    }).toEqual({ status, body, challenge, cacheControl: 'no-store' })
  })

  it('counts wrong secrets with the token and revocation endpoints: the 6th from one address is 429', async () => {
    const { app } = await world()
    const wrong = { authorization: basic('reports-bot', 'wrong') }
    for (let i = 0; i < 3; i++) expect((await tokenRequest(app, { grant_type: 'client_credentials' }, wrong)).statusCode).toBe(401)
    for (let i = 0; i < 2; i++) expect((await introspect(app, { token: 'x' }, wrong)).statusCode).toBe(401)
    const limited = await introspect(app, { token: 'x' }, wrong)
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toMatch(/^\d+$/)
    expect(limited.headers['cache-control']).toBe('no-store')
    expect(limited.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'Too many attempts, retry later' })
  })

  it('logs the caller and the token\'s jti, never the token', async () => {
    const { lines, logger } = captureLogs()
    const { app, reportsBot, web } = await world({}, { logger })
    const token = await machineToken(app, reportsBot)
    const { refreshToken } = await browserLogin(app, web, NOW)
    expect((await introspect(app, { token }, reportsBot)).statusCode).toBe(200)
    expect((await introspect(app, { token: refreshToken }, web)).statusCode).toBe(200)
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'token_introspected')
    expect(events.map(({ client_id: clientId, kind, jti, active }) => ({ clientId, kind, jti, active }))).toEqual([
      { clientId: 'reports-bot', kind: 'access_token', jti: decodeJwt(token).jti, active: true },
      { clientId: 'web', kind: 'refresh_token', jti: undefined, active: true }
    ])
    const all = lines.join('\n')
    expect(all).not.toContain(token.split('.')[2])
    expect(all).not.toContain(refreshToken)
  })
})

describe.each(ENGINES)('introspection after a key revocation, on %s', (engine: Engine) => {
  it('answers { active: false } for a token signed by a revoked key', async () => {
    const location = await freshLocation(engine)
    const app = await buildTestApp({ ...databaseEnv(location), KEY_STATE_POLL: '50ms' })
    const bot = await machineClient(app, 'reports-bot')
    const response = await tokenRequest(app, { grant_type: 'client_credentials' }, bot)
    const token = response.json().access_token as string
    expect((await introspect(app, { token }, bot)).json()).toMatchObject({ active: true })
    // What `keys:rotate` then `keys:revoke` do, from another connection to the same database.
    const policy = { alg: 'RS256' as const, rotationIntervalMs: 86_400_000, prepublishMs: 0, retireAfterMs: 60_000 }
    const { lifecycle: cli } = createKeyLifecycle(await openTestDatabase(location), policy, testCustody)
    await cli.rotate(Date.now())
    await cli.revoke(decodeJwtKid(token), Date.now())
    await expect.poll(async () => (await introspect(app, { token }, bot)).json(), { timeout: 2000 }).toEqual(INACTIVE)
  })
})

function decodeJwtKid (token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as { kid: string }).kid
}
