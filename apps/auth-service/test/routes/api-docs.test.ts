import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { ISSUER, suiteApp } from '../helper.js'

interface Operation {
  security?: Array<Record<string, string[]>>
  requestBody?: { content: Record<string, unknown> }
}

interface OpenApiDocument {
  openapi: string
  info: { title: string, version: string, description?: string }
  servers?: Array<{ url: string }>
  paths: Record<string, Record<string, Operation>>
  components: { securitySchemes: Record<string, Record<string, unknown>> }
}

/**
 * Every method and path in `printRoutes({ commonPrefix: false })`'s tree: each level is indented
 * four characters and carries the rest of the path after its parent's.
 */
function routesIn (tree: string): Array<{ method: string, url: string }> {
  const segments: string[] = []
  const routes: Array<{ method: string, url: string }> = []
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 4
    segments.length = depth
    segments.push(match[2]!)
    const url = segments.join('').replace(/:(\w+)/g, '{$1}')
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url })
  }
  return routes
}

/** Paths of object keys no JSON Schema or OpenAPI keyword has: TypeBox's `~kind` and the like. */
function foreignKeys (value: unknown, path = '$'): string[] {
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, child]) => [
    ...(key.startsWith('~') ? [`${path}.${key}`] : []),
    ...foreignKeys(child, `${path}.${key}`)
  ])
}

/** Not API routes: the docs, and the metrics, whose listing is the metrics plugin's business. */
const UNDOCUMENTED = /^\/(docs|metrics)(\/|$)/

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
