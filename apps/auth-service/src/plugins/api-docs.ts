import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import swagger, { type SwaggerTransform } from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { REPORTS_READ, REPORTS_WRITE } from '@repo/contracts/scopes'
import { INTROSPECTION_PATH, REVOCATION_PATH, TOKEN_PATH } from '@repo/contracts/oauth'
import { CONSENT_PATH, END_SESSION_PATH, LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import { OPERATIONS, TAGS } from './api-docs-operations.js'

export interface ApiDocsOptions {
  /** Named in the document's description: the `iss` of every token. */
  issuer: string
}

export const DOCS_PREFIX = '/docs'

const FORM_ROUTES = new Set([TOKEN_PATH, REVOCATION_PATH, INTROSPECTION_PATH])
/** The pages' forms (routes/pages/): form bodies too, and no client authentication. */
const PAGE_FORM_ROUTES = new Set([LOGIN_PAGE_PATH, CONSENT_PATH, END_SESSION_PATH])

/**
 * Each operation gets its tag, summary and description from OPERATIONS. The OAuth endpoints parse
 * only form bodies (oauth/form-body.ts), which the route schemas cannot say; without this the
 * document would offer them JSON. Either Basic credentials or the body's own (client_secret_post,
 * private_key_jwt, a public client's id) authenticate the client: `{}` is that second alternative.
 */
const describeOperation: SwaggerTransform = ({ schema, url, route }) => {
  const described = { ...OPERATIONS[`${[route.method].flat()[0]} ${url}`], ...schema }
  const consumes = ['application/x-www-form-urlencoded']
  if (PAGE_FORM_ROUTES.has(url)) return { schema: { ...described, consumes }, url }
  if (!FORM_ROUTES.has(url)) return { schema: described, url }
  return {
    url,
    schema: { ...described, consumes, security: [{ clientSecretBasic: [] }, {}] }
  }
}

/**
 * An OpenAPI 3.1 document built from the route schemas at `/docs/json` and Swagger UI at `/docs`,
 * its assets served from the package (no CDN). Register it before the routes: @fastify/swagger
 * collects them as they are added.
 */
export const apiDocsPlugin = fp(async function apiDocs (app: FastifyInstance, { issuer }: ApiDocsOptions) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Auth service',
        version: '1.0.0',
        description: 'Logs users in, issues signed access tokens (OAuth 2.0 client credentials and refresh tokens) ' +
          `and publishes its public keys as a JWKS. Issuer (the \`iss\` of every token): \`${issuer}\`.`
      },
      // No `servers`: requests go to the origin the page was loaded from, which may be another name of
      // the service than the issuer's (`https://localhost:3001` beside `https://auth.localhost:3001`).
      tags: TAGS,
      components: {
        securitySchemes: {
          oauth2: {
            type: 'oauth2',
            description: 'How a client gets an access token for the consumer service\'s API.',
            flows: {
              clientCredentials: {
                // Relative, like the missing `servers`: resolved against the page's own origin.
                tokenUrl: TOKEN_PATH,
                scopes: { [REPORTS_READ]: 'Read reports', [REPORTS_WRITE]: 'Create reports' }
              }
            }
          },
          clientSecretBasic: {
            type: 'http',
            scheme: 'basic',
            description: 'A confidential client\'s id and secret (RFC 6749 §2.3.1).'
          }
        }
      }
    },
    // An operation OPERATIONS does not describe has no tag, and stays out: CORS preflights, /metrics.
    hideUntagged: true,
    transform: describeOperation
  })
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { validatorUrl: null } })
}, { name: 'api-docs' })
