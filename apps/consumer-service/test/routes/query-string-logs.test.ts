import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { bearer, buildTestApp, captureLogs, fakeIssuer } from '../helper.js'

/** The URL of the request to `path`, as its request line logs it. */
const loggedUrl = (lines: string[], path: string) => lines.map((line) => JSON.parse(line))
  .find((line) => line.msg === 'incoming request' && line.req.url.startsWith(`${path}?`))?.req.url

describe('a token in the query string never reaches the log', () => {
  it.each<[string, string, Record<string, string>, number, string]>([
    // RFC 6750 §2.3 is not supported: the token is ignored, and the request has none.
    ['GET /api/v1/protected?access_token=<JWT>', '/api/v1/protected', {}, 401, 'missing_token'],
    ['the same with the token in the header too', '/api/v1/protected', { both: 'yes' }, 400, 'invalid_request'],
    ['a 404', '/api/v1/no-such-route', {}, 404, 'not_found']
  ])('%s', async (_case, path, { both }, status, code) => {
    const issuer = await fakeIssuer()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, {}, { logger })
    const token = issuer.token(issuer.keys.ES256, { claims: { sub: 'jane' } })
    const headers = both === undefined ? {} : bearer(token)
    const response = await app.inject({ url: `${path}?access_token=${token}`, headers })
    expect(response.statusCode).toBe(status)
    expect(response.json()).toMatchObject({ statusCode: status, code })
    expect(loggedUrl(lines, path)).toBe(`${path}?access_token=[Redacted]`)
    for (const part of token.split('.')) expect(lines.join('')).not.toContain(part)
  })
})

describe('the metrics listener (METRICS_PORT)', () => {
  // It logs nothing today; this keeps it so if it ever gets a logger without the services' serializers.
  it('never logs a query value, for /metrics or a 404', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const issuer = await fakeIssuer()
    const { lines, logger } = captureLogs()
    const app = await buildTestApp(issuer, { METRICS_PORT: String(port) }, { logger })
    await app.ready()
    expect((await fetch(`http://127.0.0.1:${port}/metrics?access_token=metrics-secret`)).status).toBe(200)
    expect((await fetch(`http://127.0.0.1:${port}/nope?access_token=metrics-secret`)).status).toBe(404)
    expect(lines.join('')).not.toContain('metrics-secret')
  })
})
