import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { UNDOCUMENTED, foreignKeys, routesIn, undescribedOperations, type OpenApiDocument } from '@repo/service-harness/openapi'
import { suiteApp } from '../helper.js'

describe('the API docs', () => {
  const { app } = suiteApp()
  const document = async () => {
    const response = await app().inject('/docs/json')
    expect(response.statusCode).toBe(200)
    return response.json<OpenApiDocument>()
  }
  const apiRoutes = () => routesIn(app().printRoutes({ commonPrefix: false }))
    // Fastify adds a HEAD route beside each GET; @fastify/swagger leaves those out, as GET says it all.
    // The OPTIONS route answers the public metadata's CORS preflights: not an operation of the API.
    .filter(({ method, url }) => method !== 'HEAD' && method !== 'OPTIONS' && !UNDOCUMENTED.test(url))

  it('are a valid OpenAPI 3.1 document', async () => {
    const doc = await document()
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0])
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2))
    expect(result.valid).toBe(true)
    expect(doc.openapi).toBe('3.1.0')
    expect(foreignKeys(doc)).toEqual([])
    expect(doc.info).toMatchObject({ title: 'Consumer service', version: expect.any(String), description: expect.any(String) })
    expect(doc.servers).toBeUndefined()
  })

  it('give every operation a summary, a description and a declared tag, and list no OPTIONS preflight', async () => {
    const doc = await document()
    expect(undescribedOperations(doc)).toEqual([])
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/protected', '/api/v1/reports']))
  })

  it('list the health probes and leave /metrics out, as the auth service does', async () => {
    const paths = Object.keys((await document()).paths)
    expect(paths).toEqual(expect.arrayContaining(['/health/live', '/health/ready']))
    expect(paths).not.toContain('/metrics')
  })

  it('list every route but the docs themselves', async () => {
    const doc = await document()
    const routes = apiRoutes()
    expect(routes).toEqual(expect.arrayContaining([
      { method: 'GET', url: '/api/v1/protected' },
      { method: 'GET', url: '/api/v1/reports' },
      { method: 'POST', url: '/api/v1/reports' },
      { method: 'GET', url: '/health/ready' },
      { method: 'GET', url: '/.well-known/oauth-protected-resource' }
    ]))
    for (const { method, url } of routes) {
      expect(doc.paths[url]?.[method.toLowerCase()], `${method} ${url}`).toBeDefined()
    }
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/docs'))).toEqual([])
  })

  it('declare a bearer JWT scheme, required by every /api/v1 route and no other', async () => {
    const doc = await document()
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    expect(doc.components.securitySchemes.dpopAuth).toMatchObject({ type: 'http', scheme: 'DPoP' })
    for (const { method, url } of apiRoutes()) {
      const security = doc.paths[url]?.[method.toLowerCase()]?.security
      if (url.startsWith('/api/v1/')) expect(security, `${method} ${url}`).toEqual([{ bearerAuth: [] }, { dpopAuth: [] }])
      else expect(security, `${method} ${url}`).toBeUndefined()
    }
  })

  it('serve Swagger UI at /docs', async () => {
    const response = await app().inject('/docs')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.body).toContain('swagger-ui')
  })
})
