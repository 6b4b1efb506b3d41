import { describe, expect, inject, it, onTestFinished } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { forwardedDatabase } from '@repo/service-harness/forwarded-database'
import { bearer, buildTestApp, fakeIssuer } from '../helper.js'

describe('the report routes while the consumer\'s PostgreSQL is away', () => {
  it('answer 503 with Retry-After, while token verification and readiness carry on; and serve again once it is back', { timeout: 15_000 }, async () => {
    const { url, forwarder } = await forwardedDatabase(inject('postgresAdminUrl'))
    onTestFinished(() => forwarder.close())
    const issuer = await fakeIssuer()
    const app = await buildTestApp(issuer, { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT: '1s' })
    const jane = bearer(issuer.token(issuer.keys.RS256, { claims: { sub: 'jane', scope: 'reports:read reports:write' } }))
    expect((await app.inject({ method: 'POST', url: '/api/v1/reports', headers: jane, payload: { title: 'before' } })).statusCode).toBe(201)

    await forwarder.down()
    for (const request of [{ url: '/api/v1/reports' }, { method: 'POST' as const, url: '/api/v1/reports', payload: { title: 'during' } }]) {
      const response = await app.inject({ ...request, headers: jane })
      expect([response.statusCode, response.headers['retry-after']]).toEqual([503, '2'])
      expect(response.json()).toEqual({ statusCode: 503, code: 'temporarily_unavailable', error: 'Service Unavailable', message: 'Service temporarily unavailable, retry later' })
    }
    // Verifying tokens needs no database: the rest of the API, and readiness, carry on.
    expect((await app.inject({ url: '/api/v1/protected', headers: jane })).statusCode).toBe(200)
    expect((await app.inject('/health/ready')).statusCode).toBe(200)
    expect((await app.inject('/metrics')).body).toContain('database_unavailable_responses_total 2')

    await forwarder.up()
    const listed = await app.inject({ url: '/api/v1/reports', headers: jane })
    expect(listed.json()).toEqual({ reports: [expect.objectContaining({ title: 'before' })] })
  })
})
