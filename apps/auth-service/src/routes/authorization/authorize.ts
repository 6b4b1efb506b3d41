import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { AUTHORIZATION_PATH, PAR_REQUEST_URI_PREFIX } from '@repo/contracts/authorization'
import type { AuthorizationParameters } from '../../authorization/authorization-parameters.js'
import { validateAuthorizationRequest, type RawParameters } from '../../authorization/authorization-request.js'
import { errorResponseUrl } from '../../authorization/authorization-response.js'
import { continueAuthorization } from './continue-authorization.js'
import { errorPage, redirectTo } from './authorization-replies.js'
import type { AuthorizationRoutesOptions } from './options.js'

const Value = () => Type.Optional(
  Type.Union([Type.String({ maxLength: 4000 }), Type.Array(Type.String({ maxLength: 4000 }), { maxItems: 10 })]))

/**
 * The parameters, each once or repeated (and unknown ones ignored, RFC 6749 §3.1): the endpoint
 * itself says which it needs and where each error goes, which a schema failure could not.
 */
export const AuthorizationQuerySchema = Type.Object(Object.fromEntries([
  'response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge',
  'code_challenge_method', 'prompt', 'max_age', 'response_mode', 'request_uri', 'dpop_jkt', 'resource'
].map((name) => [name, Value()])))

const text = (value: string | string[] | undefined) => typeof value === 'string' && value !== '' ? value : undefined

/**
 * `GET /authorize` (RFC 6749 §4.1.1): checks the request (authorization/authorization-request.ts),
 * or takes a pushed one by its `request_uri` (RFC 9126 §4), then continues it (continue-authorization.ts).
 * An unknown client or an unverified redirect URI ends on an error page, never a redirect.
 */
export async function authorizeRoute (fastify: FastifyInstance, options: AuthorizationRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(AUTHORIZATION_PATH, {
    schema: { querystring: AuthorizationQuerySchema }
  }, async (request, reply) => {
    const raw = request.query as RawParameters
    const clientId = text(raw.client_id)
    const client = clientId === undefined ? undefined : await app.clients.find(clientId)
    if (!client) return errorPage(reply, 'The application that sent you here is not registered (unknown client_id).')

    const requestUri = text(raw.request_uri)
    let parameters: AuthorizationParameters
    if (requestUri !== undefined) {
      // RFC 9126 §4: the pushed request is the whole request; only client_id is read beside it.
      const id = requestUri.startsWith(PAR_REQUEST_URI_PREFIX) ? requestUri.slice(PAR_REQUEST_URI_PREFIX.length) : ''
      const pushed = id === '' ? undefined : await app.pendingAuthorizations.find(id, options.now())
      if (!pushed?.pushed || pushed.parameters.clientId !== client.clientId ||
        !await app.pendingAuthorizations.remove(id)) {
        return errorPage(reply, 'This sign-in request has expired or was already used (request_uri).')
      }
      parameters = pushed.parameters
    } else {
      const validation = validateAuthorizationRequest(raw, client)
      if (!validation.ok) {
        const { refusal } = validation
        request.log.info({ client_id: client.clientId, reason: refusal.description }, 'authorization request refused')
        if (!refusal.redirect) return errorPage(reply, refusal.description)
        return redirectTo(reply, errorResponseUrl(refusal, options.issuer))
      }
      parameters = validation.parameters
      if (client.requirePar) {
        return redirectTo(reply, errorResponseUrl({
          redirectUri: parameters.redirectUri,
          state: parameters.state,
          error: 'invalid_request',
          description: 'This client must push its authorization requests (PAR)'
        }, options.issuer))
      }
    }
    return continueAuthorization(app, request, reply, parameters, options)
  })
}
