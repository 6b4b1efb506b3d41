import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import {
  PAR_LIFETIME_SECONDS, PAR_PATH, PAR_REQUEST_URI_PREFIX, PushedAuthorizationResponseSchema
} from '@repo/contracts/authorization'
import { validateAuthorizationRequest } from '../../authorization/authorization-request.js'
import { MAX_RESOURCES, RESOURCE_MAX_LENGTH } from '@repo/contracts/oauth'
import { authenticateClient } from '../../oauth/authenticate-client.js'
import { OAUTH_ERROR_RESPONSES } from '../../oauth/oauth-error-handler.js'
import {
  CodeFlowUnauthorizedError, InvalidScopeMessageError, UnsupportedResponseTypeError, invalidClient, invalidDpopProof,
  invalidRequest,
  InvalidTargetError
} from '../../oauth/oauth-errors.js'
import { oauthRequestProof, sendDpopNonce } from '../../oauth/token-request-proof.js'
import { credentialRateLimits } from '../../rate-limits/credential-limits.js'
import { clientIdOf } from './client-id-of.js'
import type { OAuthRoutesOptions } from './options.js'

/**
 * The form: any parameter (the authorization request's and the client's credentials), each a string;
 * `resource` (RFC 8707), which may be repeated, a list when it is.
 */
const PushedRequestSchema = Type.Record(Type.String(), Type.Union([
  Type.String({ maxLength: 8192 }),
  Type.Array(Type.String({ maxLength: RESOURCE_MAX_LENGTH }), { maxItems: MAX_RESOURCES })
]))

/**
 * `POST /par` (RFC 9126): an authenticated client pushes its authorization request and gets a
 * `request_uri` for `GET /authorize`, valid once within 60 s. The request is checked as the
 * authorization endpoint checks it, and its errors answered here, in JSON (RFC 9126 §2.3). A DPoP
 * proof sent with it binds the code to its key, as `dpop_jkt` does (RFC 9449 §10.1).
 */
export async function parRoute (fastify: FastifyInstance, { issuer, publicClientId, now }: OAuthRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const parEndpoint = `${issuer}${PAR_PATH}`

  app.post(PAR_PATH, {
    config: credentialRateLimits('oauth', clientIdOf),
    onSend: sendDpopNonce(app),
    schema: {
      body: PushedRequestSchema,
      response: { 201: PushedAuthorizationResponseSchema, ...OAUTH_ERROR_RESPONSES }
    }
  }, async (request, reply) => {
    const form = request.body
    const authenticated = await authenticateClient(
      { authorization: request.headers.authorization, ...form }, { clients: app.clients, issuer, publicClientId, now })
    const client = authenticated.client
    // The login's own client has no registration, so no redirect URI: it cannot start this flow.
    if (!client) throw invalidClient('the login client cannot push authorization requests', { challenge: false })
    if (form.request_uri !== undefined) throw invalidRequest('request_uri must not be pushed (RFC 9126 §2.1)')
    if (form.client_id !== undefined && form.client_id !== client.clientId) {
      throw invalidRequest('client_id differs from the client authenticated')
    }

    const validation = validateAuthorizationRequest(form, client)
    if (!validation.ok) {
      const { refusal } = validation
      if (!refusal.redirect || refusal.error === 'invalid_request') throw invalidRequest(refusal.description)
      if (refusal.error === 'unsupported_response_type') {
        throw new UnsupportedResponseTypeError({ message: refusal.description })
      }
      if (refusal.error === 'invalid_scope') throw new InvalidScopeMessageError({ message: refusal.description })
      if (refusal.error === 'invalid_target') throw new InvalidTargetError({ message: refusal.description })
      throw new CodeFlowUnauthorizedError({ reason: refusal.description })
    }
    let { parameters } = validation
    const proof = await oauthRequestProof(app, request, parEndpoint)
    if (proof !== undefined) {
      if (parameters.dpopJkt !== undefined && parameters.dpopJkt !== proof.jkt) {
        throw invalidDpopProof('dpop_jkt is not the thumbprint of the proof\'s key')
      }
      parameters = { ...parameters, dpopJkt: proof.jkt }
      // Claimed once the whole request was found good: a refused push takes no room in the replay cache.
      await proof.claim()
    }
    const id = await app.pendingAuthorizations.create(parameters,
      { pushed: true, lifetimeMs: PAR_LIFETIME_SECONDS * 1000 }, now())
    request.log.info({ event: 'authorization_request_pushed', client_id: client.clientId },
      'authorization request pushed')
    return reply.code(201).header('cache-control', 'no-store')
      .send({ request_uri: `${PAR_REQUEST_URI_PREFIX}${id}`, expires_in: PAR_LIFETIME_SECONDS })
  })
}
