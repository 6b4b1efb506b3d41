import Fastify from 'fastify'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { errorHandlerPlugin } from '@repo/service-kit/error-handler'
import { InvalidCredentialsError } from '../../src/errors.js'
import { credentialRateLimits } from '../../src/rate-limits/credential-limits.js'
import { rateLimitsPlugin } from '../../src/rate-limits/rate-limits-plugin.js'
import { clientIdOf } from '../../src/routes/oauth/client-id-of.js'
import { testConfig } from '../helper.js'

const NOW = Date.UTC(2030, 0, 1)
const TOO_MANY = { statusCode: 429, code: 'too_many_requests', error: 'Too Many Requests', message: 'Too many attempts, retry later' }
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

/** A stand-in for the token and revocation endpoints: form bodies, 401 unless the secret is "right", none needed for a public client. */
async function oauthLikeApp (env: Record<string, string>) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
  onTestFinished(() => { vi.useRealTimers() })
  const config = testConfig({ OAUTH_RATE_LIMIT: '1000/1m', OAUTH_FAILURE_LIMIT: '1000/15m', OAUTH_CLIENT_FAILURE_LIMIT: '1000/1m', ...env })
  const app = Fastify({ logger: false })
  onTestFinished(() => app.close())
  await app.register(errorHandlerPlugin)
  await app.register(rateLimitsPlugin, { login: config.loginRateLimits, oauth: config.oauthRateLimits })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  for (const url of ['/token', '/revoke']) {
    app.post(url, { config: credentialRateLimits('oauth', clientIdOf) }, async (request) => {
      const form = request.body as Record<string, string>
      const secret = request.headers.authorization === undefined ? form.client_secret : Buffer.from(request.headers.authorization.slice(6), 'base64').toString().split(':')[1]
      if (secret !== undefined && secret !== 'right') throw new InvalidCredentialsError()
      return { ok: true }
    })
  }
  const send = (url: string, ip: string, form: Record<string, string>, authorization?: string) => app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    payload: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === undefined ? {} : { authorization }) }
  })
  return { send, at: (seconds: number) => vi.setSystemTime(NOW + seconds * 1000) }
}

async function expectRefused (response: Promise<{ statusCode: number, headers: Record<string, unknown>, json: () => unknown }>, retryAfter: number) {
  const refused = await response
  expect(refused.statusCode).toBe(429)
  expect(refused.json()).toEqual(TOO_MANY)
  expect(refused.headers['retry-after']).toBe(String(retryAfter))
}

describe('credentialRateLimits(\'oauth\', clientIdOf)', () => {
  it('per client IP: the request after OAUTH_RATE_LIMIT is 429, on both endpoints together', async () => {
    const { send, at } = await oauthLikeApp({ OAUTH_RATE_LIMIT: '2/1m' })
    expect((await send('/token', '198.51.100.7', { client_id: 'svc', client_secret: 'right' })).statusCode).toBe(200)
    expect((await send('/revoke', '198.51.100.7', { client_id: 'svc', client_secret: 'right' })).statusCode).toBe(200)
    await expectRefused(send('/token', '198.51.100.7', { client_id: 'svc', client_secret: 'right' }), 60)
    expect((await send('/token', '203.0.113.1', { client_id: 'svc', client_secret: 'right' })).statusCode).toBe(200)
    at(60)
    expect((await send('/token', '198.51.100.7', { client_id: 'svc', client_secret: 'right' })).statusCode).toBe(200)
  })

  it('failures per client_id and IP: Basic and form credentials of one client share a counter, and a public client is never locked', async () => {
    const { send, at } = await oauthLikeApp({ OAUTH_FAILURE_LIMIT: '2/15m' })
    expect((await send('/token', '198.51.100.7', { grant_type: 'client_credentials' }, basic('svc', 'guess1'))).statusCode).toBe(401)
    expect((await send('/revoke', '198.51.100.7', { client_id: 'svc', client_secret: 'guess2' })).statusCode).toBe(401)

    await expectRefused(send('/token', '198.51.100.7', { grant_type: 'client_credentials' }, basic('svc', 'right')), 900)
    expect((await send('/token', '203.0.113.1', { grant_type: 'client_credentials' }, basic('svc', 'right'))).statusCode).toBe(200)
    expect((await send('/token', '198.51.100.7', { client_id: 'other', client_secret: 'right' })).statusCode).toBe(200)
    // No secret presented (a public client's refresh): only the per-IP limit applies.
    expect((await send('/token', '198.51.100.7', { client_id: 'svc', grant_type: 'refresh_token' })).statusCode).toBe(200)

    at(900)
    expect((await send('/token', '198.51.100.7', { client_id: 'svc', client_secret: 'right' })).statusCode).toBe(200)
  })

  it('failures per client_id from all IPs: the client is locked for the short window only', async () => {
    const { send, at } = await oauthLikeApp({ OAUTH_FAILURE_LIMIT: '1/15m', OAUTH_CLIENT_FAILURE_LIMIT: '3/1m' })
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      expect((await send('/token', ip, { client_id: 'svc', client_secret: 'guess' })).statusCode).toBe(401)
    }
    await expectRefused(send('/token', '203.0.113.1', { client_id: 'svc', client_secret: 'right' }), 60)
    at(60)
    expect((await send('/token', '203.0.113.1', { client_id: 'svc', client_secret: 'right' })).statusCode).toBe(200)
  })

  it('refuses a route that names a group without limits', async () => {
    const app = Fastify({ logger: false })
    onTestFinished(() => app.close())
    await app.register(errorHandlerPlugin)
    await app.register(rateLimitsPlugin, { login: testConfig().loginRateLimits } as never)
    expect(() => app.post('/x', { config: credentialRateLimits('oauth', clientIdOf) }, async () => ({}))).toThrow('POST /x: no rate limits are configured for "oauth"')
  })
})
