import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type, { type Static } from 'typebox'
import { END_SESSION_PATH } from '@repo/contracts/authorization'
import { LOGOUT } from '../../signals/caep-events.js'
import { endSession } from '../../sessions/revocations.js'
import { browserSession } from './browser-state.js'
import { verifyIdTokenHint, type IdTokenHint } from './id-token-hint.js'
import { CsrfTokenSchema, PAGE_ERRORS, pageResponses } from './page-schemas.js'

/** RP-Initiated Logout 1.0 §2 parameters, and the confirmation form's own two fields. */
const LogoutParamsSchema = Type.Object({
  id_token_hint: Type.Optional(Type.String({ maxLength: 4096 })),
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
  post_logout_redirect_uri: Type.Optional(Type.String({ maxLength: 2048 })),
  state: Type.Optional(Type.String({ maxLength: 1024 })),
  confirm: Type.Optional(Type.Literal('yes')),
  _csrf: Type.Optional(CsrfTokenSchema)
})
type LogoutParams = Static<typeof LogoutParamsSchema>

/** The parameters the confirmation form carries on to its POST. */
const CARRIED = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'] as const

const RESPONSES = pageResponses({
  200: 'Asks the user to confirm, or says they are signed out',
  303: 'Signed out: to the client\'s registered post_logout_redirect_uri, with state',
  ...PAGE_ERRORS
})

export interface LogoutOptions {
  issuer: string
  now: () => number
}

/**
 * RP-initiated logout (`end_session_endpoint`), `GET` or `POST /logout`. It ends the browser's
 * session and revokes the refresh tokens issued in it, and records a session-revoked event for the
 * Shared Signals receivers (consumers then refuse the session's access tokens too). Without a valid
 * `id_token_hint` about the signed-in user it asks first, with a CSRF-protected form: a link on any
 * site must not sign people out. A POST from a client's page carries no session cookie (SameSite=Lax):
 * it asks too. The browser goes back to `post_logout_redirect_uri` only when it is registered, exactly,
 * for the client the hint (or `client_id`) names.
 */
export async function logoutRoute (fastify: FastifyInstance, { issuer, now }: LogoutOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  /** The registered URI to return to, with `state`; undefined when it is not registered for that client. */
  async function returnTo (params: LogoutParams, hint: IdTokenHint | undefined): Promise<string | undefined> {
    const uri = params.post_logout_redirect_uri
    if (uri === undefined) return undefined
    const clientId = hint === undefined
      ? params.client_id
      : params.client_id === undefined
        ? hint.audience.length === 1 ? hint.audience[0] : undefined
        : hint.audience.includes(params.client_id) ? params.client_id : undefined
    const client = clientId === undefined ? undefined : await app.clients.find(clientId)
    if (!client?.postLogoutRedirectUris.includes(uri)) return undefined
    const url = new URL(uri)
    if (params.state !== undefined) url.searchParams.append('state', params.state)
    return url.href
  }

  async function logout (request: FastifyRequest, reply: FastifyReply, params: LogoutParams, confirmed: boolean) {
    const at = now()
    const hint = params.id_token_hint === undefined
      ? undefined
      : await verifyIdTokenHint(params.id_token_hint, { issuer, jwks: { keys: [...app.keyRing.jwks().keys] } })
    const session = await browserSession(app, request, at)
    const vouched = hint !== undefined && session !== undefined && hint.sub === session.userId
    if (!confirmed && (session === undefined ? request.method === 'POST' : !vouched)) {
      const fields = CARRIED.flatMap((name) => params[name] === undefined ? [] : [{ name, value: params[name] }])
      const csrfToken = reply.generateCsrf()
      return reply.view('logout', { title: 'Sign out?', action: END_SESSION_PATH, csrfToken, fields })
    }
    if (session) {
      // The session, its refresh tokens and the event telling every Shared Signals receiver, at once.
      const { db, sessions, refreshTokens, signals } = app
      await endSession({ db, sessions, refreshTokens, signals, issuer }, session, at, LOGOUT)
      request.log.info({ event: 'logout', sub: session.userId, sid: session.sid, ip: request.ip }, 'logged out')
    }
    const cookie = app.browserCookies.session
    if (request.cookies[cookie.name] !== undefined) reply.clearCookie(cookie.name, cookie.options)
    const target = await returnTo(params, hint)
    if (target !== undefined) return reply.redirect(target, 303)
    return reply.view('message', {
      title: 'You are signed out',
      message: 'You are signed out of this browser\'s sign-in. Apps you used it for will ask you to sign in again.'
    })
  }

  app.get(END_SESSION_PATH, { schema: { querystring: LogoutParamsSchema, response: RESPONSES } },
    async (request, reply) => logout(request, reply, request.query, false))

  app.post(END_SESSION_PATH, {
    // Only the confirmation form carries a CSRF token; a client's own logout POST has none: it is asked to confirm.
    preValidation: (request, reply, done) => {
      if ((request.body as { confirm?: unknown } | undefined)?.confirm === undefined) return done()
      app.csrfProtection(request, reply, done)
    },
    schema: { body: LogoutParamsSchema, response: RESPONSES }
  }, async (request, reply) => logout(request, reply, request.body, request.body.confirm === 'yes'))
}
