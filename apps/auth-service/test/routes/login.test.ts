import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { LOGIN_PATH } from '@repo/contracts/login'
import { AUDIENCE, ISSUER, buildTestApp, captureLogs, login, suiteApp } from '../helper.js'

const NOW = Date.UTC(2030, 0, 1)

describe('POST /api/v1/auth', () => {
  // Every case below leaves the app as it found it: one app (and one key pair, one scrypt seed) for all.
  const app = suiteApp({}, { now: () => NOW })

  it.each([
    { userName: 'Jane', password: 'pass123', role: 'write', scope: 'reports:read reports:write' },
    { userName: 'John', password: 'testpass', role: 'read', scope: 'reports:read' }
  ])('answers $userName with an RFC 9068 access token and a refresh token', async ({ userName, password, role, scope }) => {
    const response = await login(app(), userName, password)

    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const body = response.json()
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope, refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })

    const header = decodeProtectedHeader(body.access_token)
    expect(header).toEqual({ alg: 'RS256', kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), typ: 'at+jwt' })
    const claims = decodeJwt(body.access_token)
    const iat = NOW / 1000
    expect(claims).toEqual({
      iss: ISSUER,
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      aud: AUDIENCE,
      iat,
      nbf: iat,
      exp: iat + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_id: 'demo-client',
      scope,
      role
    })
  })

  it('gives every token its own jti', async () => {
    const [first, second] = await Promise.all([login(app(), 'Jane', 'pass123'), login(app(), 'Jane', 'pass123')])
    expect(decodeJwt(first.json().access_token).jti).not.toBe(decodeJwt(second.json().access_token).jti)
  })

  it.each([
    ['a wrong password', 'Jane', 'wrong'],
    ['an unknown user', 'Nobody', 'pass123'],
    ['another user\'s password', 'John', 'pass123'],
    ['a user name in other case', 'jane', 'pass123'],
    ['a password with trailing space', 'Jane', 'pass123 ']
  ])('answers 401 with one generic message for %s', async (_case, userName, password) => {
    const response = await login(app(), userName, password)
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({
      statusCode: 401, code: 'invalid_credentials', error: 'Unauthorized', message: 'Invalid user name or password'
    })
  })

  it.each([
    ['no body', undefined, 'application/json', 400, 'invalid_request'],
    ['invalid JSON', '{"userName":', 'application/json', 400, 'invalid_request'],
    ['a JSON array', '[]', 'application/json', 400, 'invalid_request'],
    ['a JSON string', '"Jane"', 'application/json', 400, 'invalid_request'],
    ['null', 'null', 'application/json', 400, 'invalid_request'],
    ['a missing password', '{"userName":"Jane"}', 'application/json', 400, 'invalid_request'],
    ['a missing user name', '{"password":"pass123"}', 'application/json', 400, 'invalid_request'],
    ['a numeric password', '{"userName":"Jane","password":123}', 'application/json', 400, 'invalid_request'],
    ['an empty user name', '{"userName":"","password":"pass123"}', 'application/json', 400, 'invalid_request'],
    ['an extra member', '{"userName":"Jane","password":"pass123","role":"admin"}', 'application/json', 400, 'invalid_request'],
    ['a 65-character user name', JSON.stringify({ userName: 'x'.repeat(65), password: 'p' }), 'application/json', 400, 'invalid_request'],
    ['a prototype-polluting body', '{"__proto__":{"x":1},"userName":"Jane","password":"pass123"}', 'application/json', 400, 'invalid_request'],
    ['a form body', 'userName=Jane&password=pass123', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    ['a text body', 'Jane:pass123', 'text/plain', 400, 'invalid_request'],
    ['an XML body', '<login/>', 'application/xml', 415, 'unsupported_media_type'],
    ['a 9 KiB body', JSON.stringify({ userName: 'Jane', password: 'p'.repeat(9 * 1024) }), 'application/json', 413, 'payload_too_large']
  ])('rejects %s', async (_case, payload, contentType, status, code) => {
    const response = await app().inject({ method: 'POST', url: LOGIN_PATH, headers: { 'content-type': contentType }, payload })
    expect(response.statusCode).toBe(status)
    expect(response.json()).toMatchObject({ statusCode: status, code })
  })
})

describe('POST /api/v1/auth, on an app of its own', () => {
  it('keeps passwords and tokens out of the logs', async () => {
    const { lines, logger } = captureLogs()
    const app = await buildTestApp({}, { logger })
    const ok = await login(app, 'Jane', 'pass123')
    await login(app, 'Jane', 'wrong-password-xyz')
    const token = ok.json().access_token as string

    const logs = lines.join('')
    expect(logs).toContain('access token issued')
    expect(logs).not.toContain('pass123')
    expect(logs).not.toContain('wrong-password-xyz')
    expect(logs).not.toContain(token.split('.')[2])
  })

  it('creates no demo users when seeding is off', async () => {
    const app = await buildTestApp({ SEED_DEMO_USERS: 'false' })
    expect((await login(app, 'Jane', 'pass123')).statusCode).toBe(401)
  })
})
