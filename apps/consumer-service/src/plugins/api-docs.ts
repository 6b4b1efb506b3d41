import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import swagger, { type SwaggerTransform } from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { TAGS, operationsUnder } from './api-docs-operations.js'

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
  const operations = operationsUnder(protectedPrefix)
  // Each operation gets its tag, summary and description from the table. The scope, not each route,
  // requires the token, so the document says so by prefix as well.
  const describeOperation: SwaggerTransform = ({ schema, url, route }) => {
    const described = { ...operations[`${[route.method].flat()[0]} ${url}`], ...schema }
    return url.startsWith(`${protectedPrefix}/`)
      ? { url, schema: { ...described, security: [{ bearerAuth: [] }, { dpopAuth: [] }] } }
      : { url, schema: described }
  }

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
      tags: TAGS,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'An access token from a trusted issuer.'
          },
          dpopAuth: {
            type: 'http',
            scheme: 'DPoP',
            description: 'A DPoP-bound access token (RFC 9449): `Authorization: DPoP <token>` and a `DPoP` proof ' +
              'header signed by the key the token is bound to, for this method and URL.'
          }
        }
      }
    },
    // An operation the table does not describe has no tag, and stays out: /metrics.
    hideUntagged: true,
    transform: describeOperation
  })
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { validatorUrl: null } })
}, { name: 'api-docs' })
