import { describe, expect, it } from 'vitest'
import { buildTestApp, captureLogs, login } from '../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const QUERY_REFUSED = {
  error: 'invalid_request',
  error_description: 'Parameters must be sent in the request body, not in the URL'
}

async function loggedApp () {
  const { lines, logger } = captureLogs()
  const app = await buildTestApp({}, { logger })
  return { app, lines }
}

async function addPostClient (app: App, clientId: string) {
  const client = {
    clientId,
    authMethod: 'client_secret_post' as const,
    jwks: undefined,
    jwksUri: undefined,
    scope: 'reports:read',
    audience: 'reports-api',
    grantTypes: ['client_credentials']
  }
  return (await app.clients.add(client, Date.now())).secret as string
}

function post (app: App, url: string, fields: Record<string, string>) {
  return app.inject({ method: 'POST', url, headers: FORM, payload: new URLSearchParams(fields).toString() })
}

/** The URL of the request to `path`, as its request line logs it. */
const loggedUrl = (lines: string[], path: string) => lines.map((line) => JSON.parse(line))
  .find((line) => line.msg === 'incoming request' && line.req.url.startsWith(`${path}?`))?.req.url

describe('credentials in a query string', () => {
  it('POST /oauth/token?client_secret=…&refresh_token=… is 400 invalid_request, logged without them', async () => {
    const { app, lines } = await loggedApp()
    const secret = await addPostClient(app, 'query-bot')
    const refreshToken = (await login(app, 'Jane', 'pass123')).json().refresh_token as string
    const url = `/oauth/token?client_secret=${secret}&refresh_token=${refreshToken}`
    const body = { grant_type: 'client_credentials', client_id: 'query-bot', client_secret: secret }
    const response = await post(app, url, body)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual(QUERY_REFUSED)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(loggedUrl(lines, '/oauth/token')).toBe('/oauth/token?client_secret=[Redacted]&refresh_token=[Redacted]')
    for (const value of [secret, refreshToken]) expect(lines.join('')).not.toContain(value)

    // Refused before anything was checked or spent: the refresh token still works, sent in the body.
    const inBody = { grant_type: 'refresh_token', client_id: 'demo-client', refresh_token: refreshToken }
    expect((await post(app, '/oauth/token', inBody)).statusCode).toBe(200)
  })

  const refresh = { grant_type: 'refresh_token', client_id: 'demo-client', refresh_token: 'x' }
  it.each([
    ['/oauth/revoke?token=…', '/oauth/revoke?token=secret-token-in-query', { client_id: 'demo-client', token: 'x' }],
    ['/oauth/token?anything', '/oauth/token?x=1', refresh],
    ['/oauth/token?<a value with no name>', '/oauth/token?secret-token-in-query', refresh]
  ])('POST %s is 400 invalid_request too', async (_case, url, fields) => {
    const { app, lines } = await loggedApp()
    const response = await post(app, url, fields)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual(QUERY_REFUSED)
    expect(lines.join('')).not.toContain('secret-token-in-query')
  })

  it('answers a token request whose URL ends in a bare "?" as usual: it carries no parameter', async () => {
    const { app } = await loggedApp()
    const secret = await addPostClient(app, 'bare-bot')
    const body = { grant_type: 'client_credentials', client_id: 'bare-bot', client_secret: secret }
    const response = await post(app, '/oauth/token?', body)
    expect(response.statusCode).toBe(200)
  })

  it('POST /api/v1/auth?password=testpass: the password never reaches the log', async () => {
    const { app, lines } = await loggedApp()
    const credentials = { userName: 'John', password: 'testpass' }
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth?password=testpass', payload: credentials })
    expect(response.statusCode).toBe(200)
    expect(loggedUrl(lines, '/api/v1/auth')).toBe('/api/v1/auth?password=[Redacted]')
    expect(lines.join('')).not.toContain('testpass')
  })

  it('a 404 with a secret in its query: logged without it', async () => {
    const { app, lines } = await loggedApp()
    const response = await app.inject('/no/such/route?access_token=secret-token-in-query&client_secret=s3cr3t-value')
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ code: 'not_found', message: 'Route GET /no/such/route not found' })
    expect(loggedUrl(lines, '/no/such/route')).toBe('/no/such/route?access_token=[Redacted]&client_secret=[Redacted]')
    for (const value of ['secret-token-in-query', 's3cr3t-value']) expect(lines.join('')).not.toContain(value)
  })
})
