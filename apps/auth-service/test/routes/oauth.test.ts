import { exportJWK, generateKeyPair, SignJWT, decodeJwt, type CryptoKey } from 'jose'
import { describe, expect, it } from 'vitest'
import { REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'
import { ENGINES, engineEnv, type Engine } from '../databases.js'
import { AUDIENCE, ISSUER, buildTestApp, captureLogs, login, suiteApp } from '../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
const TOKEN = TOKEN_PATH
const REVOKE = REVOCATION_PATH
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

function post (app: App, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form(fields) })
}

async function addSecretClient (app: App, clientId: string, authMethod: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic') {
  return (await app.clients.add({ clientId, authMethod, jwks: undefined, jwksUri: undefined, scope: 'reports:read reports:write', audience: 'reports-api', grantTypes: ['client_credentials'] }, Date.now())).secret as string
}

async function addKeyClient (app: App, clientId: string): Promise<CryptoKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  const jwk = { ...await exportJWK(publicKey), kid: 'k1', alg: 'ES256', use: 'sig' }
  await app.clients.add({ clientId, authMethod: 'private_key_jwt', jwks: { keys: [jwk] }, jwksUri: undefined, scope: 'reports:read', audience: 'reports-api', grantTypes: ['client_credentials'] }, Date.now())
  return privateKey
}

function assertion (clientId: string, key: CryptoKey, { audience = ISSUER, lifetime = 60, jti = crypto.randomUUID() } = {}) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(clientId).setSubject(clientId)
    .setAudience(audience).setIssuedAt(now).setExpirationTime(now + lifetime).setJti(jti).sign(key)
}

// Clients and refresh tokens live in the database: every case runs on both engines.
describe.each(ENGINES)('on %s', (engine: Engine) => {
  const build = async (env: Record<string, string> = {}, overrides: Parameters<typeof buildTestApp>[1] = {}) =>
    buildTestApp({ ...await engineEnv(engine), ...env }, overrides)

  describe('POST /oauth/token, grant_type=client_credentials', () => {
    const app = suiteApp(() => engineEnv(engine))

    it('issues a client_secret_basic client an RFC 9068 token for itself', async () => {
      const secret = await addSecretClient(app(), 'basic-bot')
      const response = await post(app(), TOKEN, { grant_type: 'client_credentials', scope: 'reports:read' }, { authorization: basic('basic-bot', secret) })
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      const body = response.json()
      expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'reports:read' })
      // Every claim, exactly: a client's token has no role and no `sid` (no browser session).
      const claims = decodeJwt(body.access_token)
      expect(claims).toEqual({
        iss: ISSUER,
        sub: 'basic-bot',
        client_id: 'basic-bot',
        aud: 'reports-api',
        scope: 'reports:read',
        iat: expect.any(Number),
        nbf: claims.iat,
        exp: (claims.iat as number) + 900,
        jti: expect.any(String)
      })
    })

    it('issues a client_secret_post client every scope it may have when it asks for none', async () => {
      const secret = await addSecretClient(app(), 'post-bot', 'client_secret_post')
      const response = await post(app(), TOKEN, { grant_type: 'client_credentials', client_id: 'post-bot', client_secret: secret })
      expect(response.statusCode).toBe(200)
      expect(response.json().scope).toBe('reports:read reports:write')
    })

    it('authenticates a private_key_jwt client by its signed assertion, once per jti', async () => {
      const key = await addKeyClient(app(), 'key-bot')
      const signed = await assertion('key-bot', key)
      const fields = { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: signed }
      const first = await post(app(), TOKEN, fields)
      expect(first.statusCode).toBe(200)
      expect(decodeJwt(first.json().access_token).sub).toBe('key-bot')
      const replayed = await post(app(), TOKEN, fields)
      expect(replayed.statusCode).toBe(401)
      expect(replayed.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' })
    })

    it.each<[string, (app: App) => Promise<{ fields: Record<string, string>, headers?: Record<string, string> }>, number, string]>([
      ['no grant_type', async (a) => ({ fields: { client_id: 'post-bot-2', client_secret: await addSecretClient(a, 'post-bot-2', 'client_secret_post') } }), 400, 'invalid_request'],
      ['the password grant', async (a) => ({ fields: { grant_type: 'password', client_id: 'post-bot-3', client_secret: await addSecretClient(a, 'post-bot-3', 'client_secret_post') } }), 400, 'unsupported_grant_type'],
      ['a wrong secret', async (a) => { await addSecretClient(a, 'bot-4'); return { fields: { grant_type: 'client_credentials' }, headers: { authorization: basic('bot-4', 'wrong') } } }, 401, 'invalid_client'],
      ['an unknown client', async () => ({ fields: { grant_type: 'client_credentials' }, headers: { authorization: basic('nobody', 'x') } }), 401, 'invalid_client'],
      ['no client authentication', async () => ({ fields: { grant_type: 'client_credentials' } }), 401, 'invalid_client'],
      ['Basic and client_secret at once', async (a) => {
        const secret = await addSecretClient(a, 'bot-5')
        return { fields: { grant_type: 'client_credentials', client_id: 'bot-5', client_secret: secret }, headers: { authorization: basic('bot-5', secret) } }
      }, 400, 'invalid_request'],
      ['a client_secret_basic client posting its secret', async (a) => ({ fields: { grant_type: 'client_credentials', client_id: 'bot-6', client_secret: await addSecretClient(a, 'bot-6') } }), 401, 'invalid_client'],
      ['a scope the client may not have', async (a) => ({ fields: { grant_type: 'client_credentials', scope: 'admin' }, headers: { authorization: basic('bot-7', await addSecretClient(a, 'bot-7')) } }), 400, 'invalid_scope'],
      ['the public login client', async () => ({ fields: { grant_type: 'client_credentials', client_id: 'demo-client' } }), 400, 'unauthorized_client'],
      ['a parameter sent twice', async (a) => ({ fields: { grant_type: 'client_credentials' }, headers: { authorization: basic('bot-8', await addSecretClient(a, 'bot-8')) }, duplicate: true }), 400, 'invalid_request'],
      ['an assertion for another audience', async (a) => {
        const key = await addKeyClient(a, 'key-bot-2')
        return { fields: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion('key-bot-2', key, { audience: 'https://elsewhere.example' }) } }
      }, 401, 'invalid_client'],
      ['an assertion that lives 10 minutes', async (a) => {
        const key = await addKeyClient(a, 'key-bot-3')
        return { fields: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion('key-bot-3', key, { lifetime: 600 }) } }
      }, 401, 'invalid_client'],
      ['an assertion signed by another key', async (a) => {
        await addKeyClient(a, 'key-bot-4')
        const { privateKey } = await generateKeyPair('ES256')
        return { fields: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion('key-bot-4', privateKey) } }
      }, 401, 'invalid_client'],
      ['a wrong client_assertion_type', async () => ({ fields: { grant_type: 'client_credentials', client_assertion_type: 'jwt', client_assertion: 'a.b.c' } }), 401, 'invalid_client']
    ])('refuses %s', async (_case, make, status, error) => {
      const { fields, headers = {}, duplicate } = await make(app()) as { fields: Record<string, string>, headers?: Record<string, string>, duplicate?: boolean }
      const payload = duplicate ? `${form(fields)}&grant_type=client_credentials` : form(fields)
      const response = await app().inject({ method: 'POST', url: TOKEN, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload })
      expect(response.statusCode).toBe(status)
      expect(response.json()).toEqual({ error, error_description: expect.any(String) })
      expect(response.headers['cache-control']).toBe('no-store')
      // A challenge for the scheme the client tried (RFC 6749 §5.2), none for a client authenticating in the body.
      const inBody = 'client_secret' in fields || 'client_assertion' in fields
      if (status === 401) expect(response.headers['www-authenticate']).toBe(headers.authorization !== undefined || !inBody ? 'Basic realm="token"' : undefined)
    })

    it('answers a JSON body with invalid_request: the token endpoint takes forms (RFC 6749 §3.2)', async () => {
      const response = await app().inject({ method: 'POST', url: TOKEN, payload: { grant_type: 'client_credentials' } })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ error: 'invalid_request' })
    })
  })

  describe('brute force at the token endpoint', () => {
    it('answers the 6th wrong secret for one client from one address with 429 and Retry-After, in the OAuth error shape', async () => {
      const app = await build()
      await addSecretClient(app, 'guessed')
      const attempt = () => post(app, TOKEN, { grant_type: 'client_credentials' }, { authorization: basic('guessed', 'wrong') })
      for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(401)
      const limited = await attempt()
      expect(limited.statusCode).toBe(429)
      expect(limited.headers['retry-after']).toMatch(/^\d+$/)
      expect(limited.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'Too many attempts, retry later' })
    })
  })

  describe('refresh tokens', () => {
    async function loggedIn (app: App) {
      const response = await login(app, 'Jane', 'pass123')
      expect(response.statusCode).toBe(200)
      return response.json().refresh_token as string
    }
    const refresh = (app: App, token: string, extra: Record<string, string> = {}) =>
      post(app, TOKEN, { grant_type: 'refresh_token', refresh_token: token, client_id: 'demo-client', ...extra })

    it('rotates on every use: a new access token and a new refresh token', async () => {
      const app = await build()
      const first = await loggedIn(app)
      const response = await refresh(app, first)
      expect(response.statusCode).toBe(200)
      const body = response.json()
      expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'reports:read reports:write', refresh_token: expect.any(String) })
      expect(body.refresh_token).not.toBe(first)
      // The JSON login has no browser session: neither its tokens nor their refreshes carry `sid`.
      const claims = decodeJwt(body.access_token)
      expect(claims).toEqual({
        iss: ISSUER,
        sub: (await app.users.find('Jane'))?.id,
        client_id: 'demo-client',
        aud: AUDIENCE,
        scope: 'reports:read reports:write',
        role: 'write',
        iat: expect.any(Number),
        nbf: claims.iat,
        exp: (claims.iat as number) + 900,
        jti: expect.any(String)
      })
      expect(decodeJwt((await login(app, 'Jane', 'pass123')).json().access_token)).not.toHaveProperty('sid')
      expect((await refresh(app, body.refresh_token)).statusCode).toBe(200)
    })

    it('revokes the whole family when a used token comes back after the grace period, the newest too', async () => {
      const clock = { ms: Date.UTC(2030, 0, 1) }
      const app = await build({}, { now: () => clock.ms })
      const first = await loggedIn(app)
      const second = (await refresh(app, first)).json().refresh_token as string
      clock.ms += 10_000 // the default grace period, just over
      const reused = await refresh(app, first)
      expect(reused.statusCode).toBe(400)
      expect(reused.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid' })
      expect((await refresh(app, second)).json()).toMatchObject({ error: 'invalid_grant' })
    })

    it('rotates once for two concurrent redemptions of one token: both get the one successor', async () => {
      const app = await build()
      const token = await loggedIn(app)
      const answers = await Promise.all([refresh(app, token), refresh(app, token)])
      expect(answers.map((response) => response.statusCode)).toEqual([200, 200])
      const [first, second] = answers.map((response) => response.json().refresh_token as string)
      expect(second).toBe(first)
      expect((await refresh(app, first as string)).statusCode).toBe(200)
    })

    it('lets exactly one of two concurrent redemptions of one token succeed with no grace period', async () => {
      const app = await build({ REFRESH_TOKEN_REUSE_GRACE: '0s' })
      const token = await loggedIn(app)
      const statuses = (await Promise.all([refresh(app, token), refresh(app, token)])).map((response) => response.statusCode).sort()
      expect(statuses).toEqual([200, 400])
    })

    describe('a retry within REFRESH_TOKEN_REUSE_GRACE (a lost answer)', () => {
      const T0 = Date.UTC(2030, 0, 1)
      const INVALID_GRANT = { error: 'invalid_grant', error_description: 'The refresh token is invalid' }
      async function rotated (logs?: ReturnType<typeof captureLogs>) {
        const clock = { ms: T0 }
        const overrides = { now: () => clock.ms, ...logs ? { logger: logs.logger } : {} }
        const app = await build({ REFRESH_TOKEN_REUSE_GRACE: '5s' }, overrides)
        const first = await loggedIn(app)
        const answer = await refresh(app, first)
        expect(answer.statusCode).toBe(200)
        return { app, clock, first, answer: answer.json() as { access_token: string, refresh_token: string } }
      }

      it('gets the same refresh token and a fresh access token, logged as a replay, not as reuse', async () => {
        const logs = captureLogs()
        const { app, clock, first, answer } = await rotated(logs)
        clock.ms += 4_999
        const retry = await refresh(app, first)
        expect(retry.statusCode).toBe(200)
        expect(retry.headers['cache-control']).toBe('no-store')
        expect(retry.json()).toEqual({ ...answer, access_token: expect.any(String) })
        expect(retry.json().access_token).not.toBe(answer.access_token)
        const events = logs.lines.map((line) => JSON.parse(line).event as string | undefined)
          .filter((event) => event && !event.startsWith('key_'))
        expect(events).toEqual(['login_succeeded', 'refresh_token_rotated', 'refresh_token_replayed'])
        expect(logs.lines.join('')).not.toContain(answer.refresh_token)
        expect((await refresh(app, answer.refresh_token)).statusCode).toBe(200)
      })

      it('is reuse from the end of the grace period on: the family is revoked', async () => {
        const { app, clock, first, answer } = await rotated()
        clock.ms += 5_000
        expect((await refresh(app, first)).json()).toEqual(INVALID_GRANT)
        expect((await refresh(app, answer.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' })
      })

      it('is reuse once the successor has been used: the family is revoked', async () => {
        const { app, clock, first, answer } = await rotated()
        const next = (await refresh(app, answer.refresh_token)).json().refresh_token as string
        clock.ms += 1_000
        const retry = await refresh(app, first)
        expect(retry.statusCode).toBe(400)
        expect(retry.json()).toEqual(INVALID_GRANT)
        expect((await refresh(app, next)).json()).toMatchObject({ error: 'invalid_grant' })
      })

      it('is refused for another client, and the family survives', async () => {
        const { app, clock, first, answer } = await rotated()
        const secret = await addSecretClient(app, 'thief')
        clock.ms += 1_000
        const stolen = await post(app, TOKEN, { grant_type: 'refresh_token', refresh_token: first },
          { authorization: basic('thief', secret) })
        expect(stolen.statusCode).toBe(400)
        expect(stolen.json()).toEqual(INVALID_GRANT)
        expect((await refresh(app, first)).json().refresh_token).toBe(answer.refresh_token)
      })

      it('may ask for another scope: the access token has it, the refresh token is the same', async () => {
        const { app, clock, first, answer } = await rotated()
        clock.ms += 1_000
        const narrowed = await refresh(app, first, { scope: 'reports:read' })
        expect(narrowed.json()).toMatchObject({ scope: 'reports:read', refresh_token: answer.refresh_token })
        expect(decodeJwt(narrowed.json().access_token)).toMatchObject({ scope: 'reports:read' })
        const widened = await refresh(app, first, { scope: 'reports:admin' })
        expect(widened.statusCode).toBe(400)
        expect(widened.json()).toMatchObject({ error: 'invalid_scope' })
        expect((await refresh(app, answer.refresh_token)).statusCode).toBe(200)
      })
    })

    it('narrows the scope when asked, and never widens it', async () => {
      const app = await build()
      const token = await loggedIn(app)
      expect((await refresh(app, token, { scope: 'reports:admin' })).json()).toMatchObject({ error: 'invalid_scope' })
      // The refusal left the token unused.
      const narrowed = await refresh(app, token, { scope: 'reports:read' })
      expect(narrowed.json()).toMatchObject({ scope: 'reports:read' })
    })

    it('refuses a refresh token presented by another client, and leaves it usable', async () => {
      const app = await build()
      const token = await loggedIn(app)
      const secret = await addSecretClient(app, 'thief')
      const stolen = await post(app, TOKEN, { grant_type: 'refresh_token', refresh_token: token }, { authorization: basic('thief', secret) })
      expect(stolen.json()).toMatchObject({ error: 'invalid_grant' })
      expect((await refresh(app, token)).statusCode).toBe(200)
    })

    it('dies REFRESH_TOKEN_IDLE_TTL after its last use', async () => {
      const clock = { ms: Date.UTC(2030, 0, 1) }
      const app = await build({ REFRESH_TOKEN_IDLE_TTL: '1h', REFRESH_TOKEN_TTL: '3h' }, { now: () => clock.ms })
      const token = await loggedIn(app)
      clock.ms += 3_600_000
      expect((await refresh(app, token)).json()).toMatchObject({ error: 'invalid_grant' })
    })

    it('dies REFRESH_TOKEN_TTL after the login, however often it was rotated', async () => {
      const clock = { ms: Date.UTC(2030, 0, 1) }
      const app = await build({ REFRESH_TOKEN_IDLE_TTL: '1h', REFRESH_TOKEN_TTL: '3h' }, { now: () => clock.ms })
      let token = await loggedIn(app)
      for (let step = 0; step < 3; step++) {
        clock.ms += 50 * 60_000
        const rotated = await refresh(app, token)
        expect(rotated.statusCode).toBe(200)
        token = rotated.json().refresh_token
      }
      clock.ms += 50 * 60_000
      expect((await refresh(app, token)).json()).toMatchObject({ error: 'invalid_grant' })
    })
  })

  describe('POST /oauth/revoke (RFC 7009)', () => {
    it('revokes a refresh token: a logout is real', async () => {
      const app = await build()
      const token = (await login(app, 'John', 'testpass')).json().refresh_token as string
      const revoked = await post(app, REVOKE, { token, client_id: 'demo-client' })
      expect(revoked.statusCode).toBe(200)
      expect(revoked.body).toBe('')
      const refreshed = await post(app, TOKEN, { grant_type: 'refresh_token', refresh_token: token, client_id: 'demo-client' })
      expect(refreshed.json()).toMatchObject({ error: 'invalid_grant' })
    })

    it.each([
      ['an unknown token: 200, as RFC 7009 §2.2 says', { token: 'no-such-token', client_id: 'demo-client' }, 200, undefined],
      ['no token', { client_id: 'demo-client' }, 400, 'invalid_request'],
      ['no client', { token: 'x' }, 401, 'invalid_client']
    ])('answers %s', async (_case, fields, status, error) => {
      const app = await build()
      const response = await post(app, REVOKE, fields)
      expect(response.statusCode).toBe(status)
      if (error) expect(response.json()).toMatchObject({ error })
    })
  })
})
