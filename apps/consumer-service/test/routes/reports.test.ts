import { describe, expect, it } from 'vitest'
import { RESOURCE_METADATA, bearer, buildTestApp, fakeIssuer, suiteApp, tempDataDir } from '../helper.js'

describe('scope-gated report routes', () => {
  // The first case creates the one report the suite's database holds; the others add none.
  const suite = suiteApp()

  it('lets a reports:write token create a report that a reports:read token can list', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const jane = issuer.token(issuer.keys.RS256, { claims: { sub: 'jane', role: 'write', scope: 'reports:read reports:write' } })
    const john = issuer.token(issuer.keys.ES256, { claims: { sub: 'john', role: 'read', scope: 'reports:read' } })

    const created = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer(jane), payload: { title: 'Q3 numbers' } })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toEqual({ id: 1, title: 'Q3 numbers', createdBy: 'jane', createdAt: expect.any(String) })

    const listed = await app.inject({ url: '/api/v1/reports', headers: bearer(john) })
    expect(listed.statusCode).toBe(200)
    expect(listed.json()).toEqual({ reports: [created.json()] })
  })

  it('answers 403 insufficient_scope, naming the scope, to a read-only token on the write route', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const john = issuer.token(issuer.keys.RS256, { claims: { role: 'read', scope: 'reports:read' } })
    const response = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer(john), payload: { title: 'x' } })
    expect(response.statusCode).toBe(403)
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="consumer-service", error="insufficient_scope", error_description="The access token lacks the required scope", scope="reports:write", ${RESOURCE_METADATA}`
    )
    expect(response.json()).toEqual({ statusCode: 403, code: 'insufficient_scope', error: 'Forbidden', message: 'The access token lacks the required scope' })
  })

  it('answers 403 on the read route to a token with no scope', async () => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const response = await app.inject({ url: '/api/v1/reports', headers: bearer(issuer.token(issuer.keys.RS256, { claims: { scope: '' } })) })
    expect(response.statusCode).toBe(403)
  })

  it('authenticates before it parses a body', async () => {
    const app = suite.app()
    const response = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { 'content-type': 'application/json' }, payload: '{bad json' })
    expect(response.statusCode).toBe(401)
  })

  it.each([
    ['invalid JSON', '{"title":', 400, 'invalid_request'],
    ['an empty title', '{"title":""}', 400, 'invalid_request'],
    ['an extra member', '{"title":"x","createdBy":"someone-else"}', 400, 'invalid_request']
  ])('rejects %s from an authorized writer', async (_case, payload, status, code) => {
    const [issuer, app] = [suite.issuer(), suite.app()]
    const response = await app.inject({
      method: 'POST', url: '/api/v1/reports', headers: { ...bearer(issuer.token()), 'content-type': 'application/json' }, payload
    })
    expect(response.statusCode).toBe(status)
    expect(response.json()).toMatchObject({ code })
  })

  it('keeps reports in its database across a restart', async () => {
    const issuer = await fakeIssuer()
    const dataDir = await tempDataDir()
    const first = await buildTestApp(issuer, { DATA_DIR: dataDir })
    await first.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer(issuer.token()), payload: { title: 'kept' } })
    await first.close()
    const second = await buildTestApp(issuer, { DATA_DIR: dataDir })
    const listed = await second.inject({ url: '/api/v1/reports', headers: bearer(issuer.token()) })
    expect(listed.json().reports.map((report: { title: string }) => report.title)).toEqual(['kept'])
  })
})
