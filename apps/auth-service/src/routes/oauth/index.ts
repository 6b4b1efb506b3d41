import type { FastifyInstance } from 'fastify'
import { acceptFormBodies } from '../../oauth/form-body.js'
import { handleOAuthErrors } from '../../oauth/oauth-error-handler.js'
import { refuseQueryParameters } from '../../oauth/query-parameters.js'
import type { OAuthRoutesOptions } from './options.js'
import { introspectionRoute } from './introspection.js'
import { parRoute } from './par.js'
import { revocationRoute } from './revocation.js'
import { tokenRoute } from './token.js'

export type { OAuthRoutesOptions } from './options.js'

/**
 * The OAuth endpoints, `POST /oauth/token` (token.ts), `POST /oauth/revoke` (revocation.ts),
 * `POST /oauth/introspect` (introspection.ts, RFC 7662) and `POST /par` (par.ts, RFC 9126), in one
 * scope: form bodies only, no query parameters, and RFC 6749 §5.2 error bodies.
 */
export async function oauthRoutes (app: FastifyInstance, options: OAuthRoutesOptions) {
  acceptFormBodies(app)
  refuseQueryParameters(app)
  handleOAuthErrors(app)
  await app.register(tokenRoute, options)
  await app.register(revocationRoute, options)
  await app.register(introspectionRoute, options)
  await app.register(parRoute, options)
}
