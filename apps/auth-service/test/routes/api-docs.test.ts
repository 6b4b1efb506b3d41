import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { UNDOCUMENTED, foreignKeys, routesIn, undescribedOperations, type OpenApiDocument } from '@repo/service-harness/openapi'
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
    expect(doc.info).toMatchObject({ title: 'Auth service', version: expect.any(String), description: expect.stringContaining(ISSUER) })
  })

  it('name no server, so "Try it out" calls the origin the page was opened from, not the issuer URL', async () => {
    const doc = await document()
    expect(doc.servers).toBeUndefined()
  })

  it('give every operation a summary, a description and a declared tag, and list no OPTIONS preflight', async () => {
    const doc = await document()
    expect(undescribedOperations(doc)).toEqual([])
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/.well-known/jwks.json', '/.well-known/openid-configuration']))
  })

  it('list the health probes and leave /metrics out, as the consumer service does', async () => {
    const paths = Object.keys((await document()).paths)
    expect(paths).toEqual(expect.arrayContaining(['/health/live', '/health/ready']))
    expect(paths).not.toContain('/metrics')
  })

  it('list every route but the docs themselves', async () => {
    const doc = await document()
    // Fastify adds a HEAD route beside each GET; @fastify/swagger leaves those out, as GET says it all.
    // The OPTIONS routes answer CORS preflights of the public documents: not operations of the API.
    const routes = routesIn(app().printRoutes({ commonPrefix: false }))
      .filter(({ method, url }) => method !== 'HEAD' && method !== 'OPTIONS' && !UNDOCUMENTED.test(url))
    expect(routes.map(({ url }) => url)).toEqual(expect.arrayContaining(['/api/v1/auth', '/oauth/token', '/oauth/revoke', '/.well-known/jwks.json']))
    for (const { method, url } of routes) {
      expect(doc.paths[url]?.[method.toLowerCase()], `${method} ${url}`).toBeDefined()
    }
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/docs'))).toEqual([])
  })

  it('describe the client credentials flow against the token endpoint of the page\'s origin', async () => {
    const { components } = await document()
    expect(components.securitySchemes.oauth2).toEqual({
      type: 'oauth2',
      description: expect.any(String),
      flows: {
        clientCredentials: {
          tokenUrl: '/oauth/token',
          scopes: { 'reports:read': expect.any(String), 'reports:write': expect.any(String) }
        }
      }
    })
    expect(components.securitySchemes.clientSecretBasic).toMatchObject({ type: 'http', scheme: 'basic' })
  })

  it.each(['/oauth/token', '/oauth/revoke', '/oauth/introspect'])('show %s taking a form body, with Basic or in-body client credentials', async (path) => {
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
