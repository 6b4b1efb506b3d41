import { describe, expect, it } from 'vitest'
import { samples } from '@repo/service-harness/prometheus'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { buildTestApp, login, tempDataDir } from '../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
const TOKEN = TOKEN_PATH
const HOUR_MS = 3600_000

async function scrape (app: App): Promise<string> {
  const response = await app.inject('/metrics')
  expect(response.statusCode).toBe(200)
  return response.body
}

function token (app: App, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: TOKEN, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(fields).toString() })
}

describe('GET /metrics', () => {
  it('answers in the Prometheus text format', async () => {
    const app = await buildTestApp()
    const response = await app.inject('/metrics')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(response.body).toContain('# TYPE logins_total counter')
  })

  it('counts logins by outcome, never with the user name', async () => {
    const app = await buildTestApp()
    expect((await login(app, 'Jane', 'pass123')).statusCode).toBe(200)
    expect((await login(app, 'John', 'wrong-password-xyz')).statusCode).toBe(401)
    expect((await login(app, 'nobody-7d1e', 'another-guess-abc')).statusCode).toBe(401)
    const text = await scrape(app)
    expect(samples(text, 'logins_total').sort()).toEqual(['logins_total{outcome="failed"} 2', 'logins_total{outcome="succeeded"} 1'])
    expect(text).not.toContain('nobody-7d1e')
  })

  it('counts token requests by bounded grant type and outcome, and refresh token reuse', async () => {
    // No grace period: the used token presented again at once is reuse, not a retry.
    const app = await buildTestApp({ REFRESH_TOKEN_REUSE_GRACE: '0s' })
    const secret = (await app.clients.add({ clientId: 'bot-client-93', authMethod: 'client_secret_post', jwks: undefined, jwksUri: undefined, scope: 'reports:read', audience: 'reports-api', grantTypes: ['client_credentials'] }, Date.now())).secret as string
    expect((await token(app, { grant_type: 'client_credentials', client_id: 'bot-client-93', client_secret: secret })).statusCode).toBe(200)
    expect((await token(app, { grant_type: 'client_credentials', client_id: 'bot-client-93', client_secret: 'wrong-secret-5a' })).statusCode).toBe(401)
    expect((await token(app, { grant_type: 'urn:made-up:grant-42', client_id: 'bot-client-93', client_secret: secret })).statusCode).toBe(400)
    const first = (await login(app, 'Jane', 'pass123')).json().refresh_token as string
    expect((await token(app, { grant_type: 'refresh_token', refresh_token: first, client_id: 'demo-client' })).statusCode).toBe(200)
    expect((await token(app, { grant_type: 'refresh_token', refresh_token: first, client_id: 'demo-client' })).statusCode).toBe(400)
    const text = await scrape(app)
    expect(samples(text, 'token_requests_total').sort()).toEqual([
      'token_requests_total{grant_type="client_credentials",outcome="invalid_client"} 1',
      'token_requests_total{grant_type="client_credentials",outcome="ok"} 1',
      'token_requests_total{grant_type="other",outcome="unsupported_grant_type"} 1',
      'token_requests_total{grant_type="refresh_token",outcome="invalid_grant"} 1',
      'token_requests_total{grant_type="refresh_token",outcome="ok"} 1'
    ])
    expect(samples(text, 'refresh_token_reuse_detections_total')).toEqual(['refresh_token_reuse_detections_total 1'])
    for (const value of ['bot-client-93', 'wrong-secret-5a', 'made-up', first, secret]) expect(text).not.toContain(value)
  })

  it('counts rate-limit refusals by limit', async () => {
    const app = await buildTestApp({ LOGIN_RATE_LIMIT: '1/1m' })
    await login(app, 'Jane', 'pass123')
    expect((await login(app, 'Jane', 'pass123')).statusCode).toBe(429)
    expect((await login(app, 'Jane', 'pass123')).statusCode).toBe(429)
    expect(samples(await scrape(app), 'rate_limit_rejections_total')).toEqual(['rate_limit_rejections_total{limit="per_ip"} 2'])
  })

  it('reports the signing keys by state and the time until the next rotation, at scrape time', async () => {
    const clock = { ms: Date.now() }
    const app = await buildTestApp({ KEY_ROTATION_INTERVAL: '30d' }, { now: () => clock.ms })
    clock.ms += HOUR_MS
    const text = await scrape(app)
    expect(samples(text, 'signing_keys')).toEqual([
      'signing_keys{state="next"} 0',
      'signing_keys{state="active"} 1',
      'signing_keys{state="retiring"} 0',
      'signing_keys{state="retired"} 0'
    ])
    expect(samples(text, 'seconds_until_next_rotation')).toEqual([`seconds_until_next_rotation ${30 * 24 * 3600 - 3600}`])
  })

  it('reports the time until a change of SIGNING_ALG takes over as the time until the next rotation', async () => {
    const clock = { ms: Date.now() }
    const DATA_DIR = await tempDataDir()
    await (await buildTestApp({ DATA_DIR, SIGNING_ALG: 'RS256' }, { now: () => clock.ms })).close()
    const app = await buildTestApp({ DATA_DIR, SIGNING_ALG: 'ES256', KEY_PREPUBLISH: '1h' }, { now: () => clock.ms })
    clock.ms += 600_000
    const text = await scrape(app)
    expect(samples(text, 'signing_keys')).toContain('signing_keys{state="next"} 1')
    expect(samples(text, 'seconds_until_next_rotation')).toEqual(['seconds_until_next_rotation 3000'])
  })

  it('keeps two apps in one process apart', async () => {
    const [first, second] = [await buildTestApp(), await buildTestApp()]
    await login(first, 'Jane', 'pass123')
    expect(samples(await scrape(first), 'logins_total')).toEqual(['logins_total{outcome="succeeded"} 1'])
    expect(samples(await scrape(second), 'logins_total')).toEqual([])
  })

  it('labels HTTP durations with the route pattern, and every unmatched URL with one value', async () => {
    const app = await buildTestApp()
    await app.inject('/no/such/path/xyz-987')
    await app.inject('/.well-known/jwks.json?cachebust=abc-123')
    const text = await scrape(app)
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="(unmatched)",status_code="404"} 1')
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/.well-known/jwks.json",status_code="200"} 1')
    expect(text).not.toContain('xyz-987')
    expect(text).not.toContain('abc-123')
  })

  it.each([
    ['METRICS_ENABLED=false', { METRICS_ENABLED: 'false' }],
    ['METRICS_PORT set (served on its own listener instead)', { METRICS_PORT: '0' }]
  ])('is not served on the service\'s port with %s', async (_case, env) => {
    const app = await buildTestApp(env)
    expect((await app.inject('/metrics')).statusCode).toBe(404)
  })
})
