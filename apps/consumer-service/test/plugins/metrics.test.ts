import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { samples } from '@repo/service-harness/prometheus'
import { bearer, buildTestApp, fakeIssuer, keysLoaded, suiteApp, type FakeIssuer } from '../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

async function scrape (app: App): Promise<string> {
  const response = await app.inject('/metrics')
  expect(response.statusCode).toBe(200)
  return response.body
}

describe('GET /metrics', () => {
  const suite = suiteApp()

  it('answers in the Prometheus text format', async () => {
    const response = await suite.app().inject('/metrics')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(response.body).toContain('# TYPE jwt_verifications_total counter')
  })

  it('reports each trusted issuer\'s JWKS fetches and usable keys, labelled with the configured issuer', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const text = await scrape(app)
    expect(samples(text, 'jwks_fetches_total')).toEqual([
      `jwks_fetches_total{issuer="${issuer.origin}",result="ok"} 1`,
      `jwks_fetches_total{issuer="${issuer.origin}",result="error"} 0`
    ])
    expect(samples(text, 'jwks_keys_known')).toEqual([`jwks_keys_known{issuer="${issuer.origin}"} 3`])
  })
})

describe('jwt_verifications_total', () => {
  it('counts accepted and rejected tokens under a bounded reason, never a token\'s own text', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const crafted = 'attacker-chosen-kid-4f1c'
    const requests = [
      { headers: bearer(issuer.token()) },
      { headers: {} },
      { headers: bearer(issuer.token(issuer.keys.RS256, { header: { kid: crafted } })) },
      { headers: bearer(issuer.token(issuer.keys.RS256, { header: { typ: 'JWT' } })) },
      { headers: bearer(issuer.token(issuer.keys.RS256, { claims: { exp: Math.floor(Date.now() / 1000) - 120 } })) },
      { headers: bearer(issuer.token(issuer.keys.RS256, { claims: { iss: 'https://evil.example' } })) },
      { headers: bearer(issuer.token(issuer.keys.RS256, { signer: issuer.keys.ES256.privateKey })) }
    ]
    for (const { headers } of requests) {
      const response = await app.inject({ url: '/api/v1/protected', headers })
      expect(response.statusCode).toBeGreaterThanOrEqual(200)
    }
    const text = await scrape(app)
    expect(samples(text, 'jwt_verifications_total').sort()).toEqual([
      'jwt_verifications_total{outcome="accepted",reason="none"} 1',
      'jwt_verifications_total{outcome="rejected",reason="expired"} 1',
      'jwt_verifications_total{outcome="rejected",reason="missing_token"} 1',
      'jwt_verifications_total{outcome="rejected",reason="signature"} 1',
      'jwt_verifications_total{outcome="rejected",reason="typ"} 1',
      'jwt_verifications_total{outcome="rejected",reason="unknown_kid"} 1',
      'jwt_verifications_total{outcome="rejected",reason="untrusted_issuer"} 1'
    ])
    expect(text).not.toContain(crafted)
    expect(text).not.toContain('evil.example')
  })

  describe('the reason each refusal is counted under', () => {
    const suite = suiteApp()
    const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds
    const rejected = async (app: App) => new Map(samples(await scrape(app), 'jwt_verifications_total')
      .map((line) => /reason="(\w+)"} (\d+)$/.exec(line) ?? [])
      .map(([, reason, count]) => [reason, Number(count)]))

    it.each<[string, string, (issuer: FakeIssuer) => Record<string, string>]>([
      ['no credentials', 'missing_token', () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
      ['a malformed Bearer header', 'malformed', () => ({ authorization: 'Bearer a b' })],
      ['a token fast-jwt cannot decode', 'malformed', () => bearer('mF_9.B5f-4.1JqM')],
      ['an unknown header member', 'header', (i) => bearer(i.token(i.keys.RS256, { header: { nonce: 'abc' } }))],
      ['an algorithm not allowed here', 'alg', (i) => bearer(i.token(i.keys.RS256, { header: { alg: 'PS256' } }))],
      ['another signer', 'signature', (i) => bearer(i.token(i.keys.RS256, { signer: i.keys.ES256.privateKey }))],
      ['an expired token', 'expired', (i) => bearer(i.token(i.keys.RS256, { claims: { exp: inSeconds(-120) } }))],
      ['another audience', 'audience', (i) => bearer(i.token(i.keys.RS256, { claims: { aud: 'other-service' } }))],
      ['an aud list without ours', 'audience', (i) => bearer(i.token(i.keys.RS256, { claims: { aud: ['a', 'b'] } }))],
      ['no aud', 'audience', (i) => bearer(i.token(i.keys.RS256, { claims: { aud: undefined } }))],
      ['no jti', 'claims', (i) => bearer(i.token(i.keys.RS256, { claims: { jti: undefined } }))],
      ['an iat a minute ahead', 'claims', (i) => bearer(i.token(i.keys.RS256, { claims: { iat: inSeconds(60) } }))]
    ])('%s: %s', async (_case, reason, headers) => {
      const app = suite.app()
      const before = await rejected(app)
      const response = await app.inject({ url: '/api/v1/protected', headers: headers(suite.issuer()) })
      expect(response.statusCode).toBeGreaterThanOrEqual(400)
      const after = await rejected(app)
      const changed = [...after].filter(([label, count]) => count !== (before.get(label) ?? 0))
      expect(changed).toEqual([[reason, (before.get(reason) ?? 0) + 1]])
    })
  })

  it('counts every request a token is accepted for, the ones the verified-token cache answers included', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const token = issuer.token()
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/api/v1/protected', headers: bearer(token) })).statusCode).toBe(200)
    expect(samples(await scrape(app), 'jwt_verifications_total')).toEqual(['jwt_verifications_total{outcome="accepted",reason="none"} 3'])
    await app.inject({ url: '/api/v1/protected', headers: bearer(token) })
    expect(samples(await scrape(app), 'jwt_verifications_total')).toEqual(['jwt_verifications_total{outcome="accepted",reason="none"} 4'])
  })

  it('counts a token without the route\'s scope as rejected for scope', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    const readOnly = issuer.token(issuer.keys.RS256, { claims: { role: 'read', scope: 'reports:read' } })
    const response = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer(readOnly), payload: { title: 'x' } })
    expect(response.statusCode).toBe(403)
    expect(samples(await scrape(app), 'jwt_verifications_total').sort()).toEqual([
      'jwt_verifications_total{outcome="accepted",reason="none"} 1',
      'jwt_verifications_total{outcome="rejected",reason="scope"} 1'
    ])
  })

  it('counts a token that cannot be checked while the issuer is down as unavailable', async () => {
    const issuer = await fakeIssuer()
    issuer.state.override = (_request, response) => { response.writeHead(500).end() }
    const app = await buildTestApp(issuer, {}, { waitForKeys: false })
    const response = await app.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(response.statusCode).toBe(503)
    const text = await scrape(app)
    expect(samples(text, 'jwt_verifications_total')).toEqual(['jwt_verifications_total{outcome="unavailable",reason="keys_unavailable"} 1'])
    expect(samples(text, 'jwks_seconds_since_last_success')).toEqual([])
    expect(text).toMatch(new RegExp(`^jwks_fetches_total\\{issuer="${issuer.origin}",result="error"\\} [1-9]`, 'm'))
  })

  it('keeps two apps in one process apart', async () => {
    const issuer = await fakeIssuer()
    const [first, second] = [await buildTestApp(issuer), await buildTestApp(issuer)]
    await first.inject({ url: '/api/v1/protected', headers: bearer(issuer.token()) })
    expect(samples(await scrape(first), 'jwt_verifications_total')).toEqual(['jwt_verifications_total{outcome="accepted",reason="none"} 1'])
    expect(samples(await scrape(second), 'jwt_verifications_total')).toEqual([])
  })
})

describe('jwks_seconds_since_last_success', () => {
  it('is computed at scrape time from the app\'s clock', async () => {
    const issuer = await fakeIssuer()
    const clock = { ms: Date.now() }
    const app = await buildTestApp(issuer, {}, { now: () => clock.ms })
    await keysLoaded(app)
    clock.ms += 42_500
    expect(samples(await scrape(app), 'jwks_seconds_since_last_success')).toEqual([`jwks_seconds_since_last_success{issuer="${issuer.origin}"} 42.5`])
  })
})

describe('http_request_duration_seconds', () => {
  it('labels requests with the route pattern, and every unmatched URL with one value', async () => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer)
    await app.inject('/api/v1/reports?cursor=some-id-123')
    await app.inject('/no/such/path/xyz-987')
    const text = await scrape(app)
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/api/v1/reports",status_code="401"} 1')
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="(unmatched)",status_code="404"} 1')
    expect(text).not.toContain('some-id-123')
    expect(text).not.toContain('xyz-987')
  })
})

describe('METRICS_ENABLED and METRICS_PORT', () => {
  it.each([
    ['METRICS_ENABLED=false', { METRICS_ENABLED: 'false' }],
    ['METRICS_PORT set (served on its own listener instead)', { METRICS_PORT: '0' }]
  ])('does not serve /metrics on the service\'s port with %s', async (_case, env) => {
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, env)
    expect((await app.inject('/metrics')).statusCode).toBe(404)
  })
  it('serves it on METRICS_PORT once the app is ready, and closes that listener with the app', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { METRICS_PORT: String(port) })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const response = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(await response.text()).toContain(`jwks_keys_known{issuer="${issuer.origin}"} 3`)
    await app.close()
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow()
  })
})
