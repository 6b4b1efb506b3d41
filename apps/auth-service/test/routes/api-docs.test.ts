import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { UNDOCUMENTED, foreignKeys, routesIn, type OpenApiDocument } from '@repo/service-harness/openapi'
import { ISSUER, suiteApp } from '../helper.js'

describe('the API docs', () => {
  const app = suiteApp()
  const document = async () => {
    const response = await app().inject('/docs/json')
    expect(response.statusCode).toBe(200)
    return response.json<OpenApiDocument>()
  }

  it('are a valid OpenAPI 3.1 document', async () => {
    const doc = await document()
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0])
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2))
    expect(result.valid).toBe(true)
    expect(doc.openapi).toBe('3.1.0')
    expect(foreignKeys(doc)).toEqual([])
    expect(doc.info).toMatchObject({ title: 'Auth service', version: expect.any(String), description: expect.any(String) })
    expect(doc.servers).toEqual([{ url: ISSUER }])
  })

  it('list every route but the docs themselves', async () => {
    const doc = await document()
    // Fastify adds a HEAD route beside each GET; @fastify/swagger leaves those out, as GET says it all.
    const routes = routesIn(app().printRoutes({ commonPrefix: false }))
      .filter(({ method, url }) => method !== 'HEAD' && !UNDOCUMENTED.test(url))
    expect(routes.map(({ url }) => url)).toEqual(expect.arrayContaining(['/api/v1/auth', '/oauth/token', '/oauth/revoke', '/.well-known/jwks.json']))
    for (const { method, url } of routes) {
      expect(doc.paths[url]?.[method.toLowerCase()], `${method} ${url}`).toBeDefined()
    }
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/docs'))).toEqual([])
  })

  it('describe the client credentials flow against this issuer\'s token endpoint', async () => {
    const { components } = await document()
    expect(components.securitySchemes.oauth2).toEqual({
      type: 'oauth2',
      description: expect.any(String),
      flows: {
        clientCredentials: {
          tokenUrl: `${ISSUER}/oauth/token`,
          scopes: { 'reports:read': expect.any(String), 'reports:write': expect.any(String) }
        }
      }
    })
    expect(components.securitySchemes.clientSecretBasic).toMatchObject({ type: 'http', scheme: 'basic' })
  })

  it.each(['/oauth/token', '/oauth/revoke'])('show %s taking a form body, with Basic or in-body client credentials', async (path) => {
    const operation = (await document()).paths[path]?.post
    expect(Object.keys(operation?.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded'])
    expect(operation?.security).toEqual([{ clientSecretBasic: [] }, {}])
  })

  it('show the login taking JSON, with no security scheme', async () => {
    const operation = (await document()).paths['/api/v1/auth']?.post
    expect(Object.keys(operation?.requestBody?.content ?? {})).toEqual(['application/json'])
    expect(operation?.security).toBeUndefined()
  })

  it('serve Swagger UI at /docs', async () => {
    const response = await app().inject('/docs')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.body).toContain('swagger-ui')
  })
})
