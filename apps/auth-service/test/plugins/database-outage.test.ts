import { describe, expect, inject, it, onTestFinished } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { createTestDatabase } from '@repo/service-harness/postgres-server'
import { startTcpForwarder } from '@repo/service-harness/tcp-forwarder'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { buildTestApp, captureLogs, login } from '../helper.js'
import { TEST_KEK } from '../test-custody.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
const clientCredentials = (app: App, secret: string) => app.inject({
  method: 'POST',
  url: TOKEN_PATH,
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('bot', secret) },
  payload: 'grant_type=client_credentials'
})

/** The auth app on a new PostgreSQL database reached through a forwarder the test can take down. */
async function appBehindForwarder () {
  const direct = new URL(await createTestDatabase(inject('postgresAdminUrl')))
  const forwarder = await startTcpForwarder(direct.hostname, Number(direct.port))
  onTestFinished(() => forwarder.close())
  const url = new URL(direct)
  url.port = String(forwarder.port)
  const logs = captureLogs()
  const app = await buildTestApp({ DATABASE_URL: url.toString(), KEY_ENCRYPTION_KEYS: TEST_KEK, DATABASE_CONNECT_TIMEOUT: '1s', METRICS_ENABLED: 'true' }, { logger: logs.logger })
  const { secret } = await app.clients.add({
    clientId: 'bot', authMethod: 'client_secret_basic', jwks: undefined, jwksUri: undefined, scope: 'reports:read', audience: 'reports-api', grantTypes: ['client_credentials']
  }, Date.now())
  return { app, forwarder, secret: secret as string, lines: () => logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>) }
}

describe('the auth service while its PostgreSQL is away', () => {
  it('answers 503 with Retry-After where it needs the database, keeps serving what does not, and comes back without a restart', { timeout: 15_000 }, async () => {
    const { app, forwarder, secret, lines } = await appBehindForwarder()
    expect((await clientCredentials(app, secret)).statusCode).toBe(200)
    const before = lines().length
    await forwarder.down()

    // The token endpoint: RFC 6749 §5.2's body, never cached.
    const token = await clientCredentials(app, secret)
    expect([token.statusCode, token.headers['retry-after'], token.headers['cache-control']]).toEqual([503, '2', 'no-store'])
    expect(token.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'Try again later' })
    // Everywhere else: the service's error body.
    const refused = await login(app, 'Jane', 'pass123')
    expect([refused.statusCode, refused.headers['retry-after']]).toEqual([503, '2'])
    expect(refused.json()).toEqual({ statusCode: 503, code: 'temporarily_unavailable', error: 'Service Unavailable', message: 'Service temporarily unavailable, retry later' })
    // Not ready, with the reason; alive; the keys and the metadata from memory.
    const ready = await app.inject('/health/ready')
    // A pooled connection that was reset, or a new one refused: either way by the driver's code.
    expect([ready.statusCode, ready.json()]).toEqual([503, {
      status: 'unavailable', reason: expect.stringMatching(/^database unreachable \((ECONNREFUSED|ECONNRESET|connection_lost)\)$/)
    }])
    expect((await app.inject('/health/live')).statusCode).toBe(200)
    expect((await app.inject('/.well-known/jwks.json')).statusCode).toBe(200)
    expect((await app.inject('/.well-known/oauth-authorization-server')).statusCode).toBe(200)
    // The scrape still works, and says so.
    const scraped = await app.inject('/metrics')
    expect([scraped.statusCode, scraped.body.match(/^database_up \d$/m)?.[0]]).toEqual([200, 'database_up 0'])

    await forwarder.up()
    expect((await app.inject('/health/ready')).json()).toEqual({ status: 'ok' })
    expect((await clientCredentials(app, secret)).statusCode).toBe(200)
    expect((await login(app, 'Jane', 'pass123')).statusCode).toBe(200)

    // One warning for the whole outage, with what it cost; no stack for any refused request.
    const logged = lines().slice(before)
    expect(logged.filter((line) => (line.level as number) >= 40)).toEqual([
      expect.objectContaining({ event: 'database_outage', refusedRequests: 2, reason: expect.any(String), startedAt: expect.any(String), endedAt: expect.any(String) })
    ])
    expect(logged.filter((line) => line.err !== undefined)).toEqual([])
    const metrics = (await app.inject('/metrics')).body
    expect(metrics).toContain('database_unavailable_responses_total 2')
    // Refused by the shared rate-limit counter, before the body (and its grant_type) was read.
    expect(metrics).toMatch(/token_requests_total\{grant_type="\w+",outcome="temporarily_unavailable"\} 1/)
  })
})
