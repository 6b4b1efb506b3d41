import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import swagger, { type SwaggerTransform } from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export interface ApiDocsOptions {
  /** Where the routes that need an access token live: every route there is authenticated (routes/api/index.ts). */
  protectedPrefix: string
}

export const DOCS_PREFIX = '/docs'

/**
 * An OpenAPI 3.1 document built from the route schemas at `/docs/json` and Swagger UI at `/docs`,
 * its assets served from the package (no CDN). Register it before the routes: @fastify/swagger
 * collects them as they are added.
 */
export const apiDocsPlugin = fp(async function apiDocs (app: FastifyInstance, { protectedPrefix }: ApiDocsOptions) {
  // The scope, not each route, requires the token, so the document says so by prefix as well.
  const requireBearer: SwaggerTransform = ({ schema, url }) => url.startsWith(`${protectedPrefix}/`)
    ? { url, schema: { ...schema, security: [{ bearerAuth: [] }] } }
    : { url, schema }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Consumer service',
        version: '1.0.0',
        description: 'Reports behind access tokens, verified against each trusted issuer\'s JWKS. ' +
          'Get a token from the auth service (login or OAuth 2.0 client credentials); reading needs the scope ' +
          '`reports:read`, creating `reports:write`.'
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from a trusted issuer.' }
        }
      }
    },
    transform: requireBearer
  })
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { validatorUrl: null } })
}, { name: 'api-docs' })
