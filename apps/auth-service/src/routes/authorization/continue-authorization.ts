import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CONSENT_PATH, LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import type { AuthorizationParameters } from '../../authorization/authorization-parameters.js'
import {
  authorizationResponseUrl, errorResponseUrl, type AuthorizationErrorCode
} from '../../authorization/authorization-response.js'
import { loginSatisfies, userScope } from '../../authorization/login-requirement.js'
import { INTERACTION_LIFETIME_MS } from '../../sessions/browser-cookies.js'
import { errorPage, redirectTo } from './authorization-replies.js'
import type { AuthorizationRoutesOptions } from './options.js'

/** The pending request a browser comes back with from the login or consent page. */
export interface Interaction {
  id: string
  /** When it started waiting: a login after this one was made for it. */
  createdAt: number
  /** The consent page's refusal. */
  denied: boolean
}

/**
 * Takes a valid authorization request as far as it can go: to the login page without a usable
 * session, to the consent page for a third-party client not yet allowed this scope, else back to
 * the client with a code. `interaction` when the browser comes back from one of those pages.
 */
export async function continueAuthorization (
  app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, parameters: AuthorizationParameters,
  { issuer, now }: AuthorizationRoutesOptions, interaction?: Interaction
): Promise<FastifyReply> {
  const time = now()
  const cookies = app.browserCookies

  const finish = async (location: string) => {
    if (interaction) {
      await app.pendingAuthorizations.remove(interaction.id)
      reply.clearCookie(cookies.interaction.name, cookies.interaction.options)
    }
    return redirectTo(reply, location)
  }
  const refuse = (error: AuthorizationErrorCode, description: string) => finish(errorResponseUrl(
    { redirectUri: parameters.redirectUri, state: parameters.state, error, description }, issuer))
  const interact = async (page: string) => {
    let id = interaction?.id
    if (id === undefined) {
      id = await app.pendingAuthorizations.create(parameters, { pushed: false, lifetimeMs: INTERACTION_LIFETIME_MS },
        time)
      reply.setCookie(cookies.interaction.name, id, cookies.interaction.options)
    }
    return redirectTo(reply, `${page}?${new URLSearchParams({ interaction: id }).toString()}`)
  }

  const handle = request.cookies[cookies.session.name]
  const session = handle === undefined ? undefined : await app.sessions.find(handle, time)
  const user = session && await app.users.findById(session.userId)
  if (!session || !user || !loginSatisfies(session, parameters, time, interaction?.createdAt)) {
    if (parameters.prompt.includes('none')) return refuse('login_required', 'The user is not logged in')
    return interact(LOGIN_PAGE_PATH)
  }
  if (interaction?.denied) return refuse('access_denied', 'The user refused the request')

  const client = await app.clients.find(parameters.clientId)
  if (!client) return errorPage(reply, 'This application is no longer registered.')
  const scope = userScope(parameters.scope, user.role)
  if (scope === undefined) return refuse('invalid_scope', 'The user may not grant any of the requested scopes')
  if (client.thirdParty && !await app.consents.covers(user.id, client.clientId, scope)) {
    if (parameters.prompt.includes('none')) return refuse('consent_required', 'The user has not allowed this client')
    return interact(CONSENT_PATH)
  }

  // Of two tabs finishing the same request, one gets the code; the other sees it is gone.
  if (interaction && !await app.pendingAuthorizations.remove(interaction.id)) {
    return errorPage(reply, 'This sign-in was already completed.')
  }
  const code = await app.authorizationCodes.issue({
    clientId: client.clientId,
    userId: user.id,
    sessionId: session.sid,
    redirectUri: parameters.redirectUri,
    scope,
    codeChallenge: parameters.codeChallenge,
    nonce: parameters.nonce,
    authTime: session.authTime,
    dpopJkt: parameters.dpopJkt,
    resources: parameters.resources
  }, time)
  request.log.info({ event: 'authorization_code_issued', client_id: client.clientId, sub: user.id, scope },
    'authorization code issued')
  return finish(authorizationResponseUrl(parameters.redirectUri, { code, state: parameters.state }, issuer))
}
