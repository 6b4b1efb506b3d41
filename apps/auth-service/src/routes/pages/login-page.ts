import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { AUTHORIZATION_RESUME_PATH, LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import { PASSWORD_MAX_LENGTH, USER_NAME_MAX_LENGTH } from '@repo/contracts/users'
import type { PendingAuthorization } from '../../authorization/pending-authorizations.js'
import { credentialRateLimits } from '../../rate-limits/credential-limits.js'
import { userNameOf } from '../login.js'
import { browserSession, clientNameOf, pendingInteraction } from './browser-state.js'
import { CsrfTokenSchema, InteractionIdSchema, PAGE_ERRORS, pageResponses } from './page-schemas.js'
import { scopeInWords } from './scope-words.js'

/** Empty fields are let through to a sentence asking for both; lengths as the JSON login's. */
const LoginFormSchema = Type.Object({
  userName: Type.String({ maxLength: USER_NAME_MAX_LENGTH }),
  password: Type.String({ maxLength: PASSWORD_MAX_LENGTH }),
  interaction: InteractionIdSchema,
  _csrf: CsrfTokenSchema
})

/** One sentence for every wrong credential: it never says whether the name or the password was wrong. */
export const WRONG_CREDENTIALS = 'The user name or password is wrong.'
const EMPTY_FIELDS = 'Enter your user name and password.'

interface LoginView {
  interaction: string
  pending: PendingAuthorization
  userName?: string
  error?: string
}

export interface LoginPageOptions {
  now: () => number
}

/**
 * The login page of a pending authorization request: `GET /login?interaction=` shows the form,
 * `POST /login` checks it with the same users, password hashing, rate limits and audit events as the
 * JSON login. A login makes a new session (the browser's previous one ends: no session fixation) and
 * sends the browser on to AUTHORIZATION_RESUME_PATH, which finishes the request.
 */
export async function loginPage (fastify: FastifyInstance, { now }: LoginPageOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  async function render (reply: FastifyReply, status: number, { interaction, pending, userName, error }: LoginView) {
    return reply.code(status).view('login', {
      title: 'Sign in',
      action: LOGIN_PAGE_PATH,
      clientName: await clientNameOf(app, pending.parameters.clientId),
      scopes: scopeInWords(pending.parameters.scope),
      csrfToken: reply.generateCsrf(),
      interaction,
      userName: userName ?? '',
      error
    })
  }

  app.get(LOGIN_PAGE_PATH, {
    schema: {
      querystring: Type.Object({ interaction: InteractionIdSchema }),
      response: pageResponses({ 200: 'The login form', ...PAGE_ERRORS })
    }
  }, async (request, reply) => {
    const { interaction } = request.query
    return render(reply, 200, { interaction, pending: await pendingInteraction(app, request, interaction, now()) })
  })

  app.post(LOGIN_PAGE_PATH, {
    // The JSON login's limits, counted together: per client IP, and failures per user name.
    config: credentialRateLimits('login', userNameOf),
    preValidation: app.csrfProtection,
    schema: {
      body: LoginFormSchema,
      response: pageResponses({
        303: 'Logged in: on to the authorization request',
        401: 'The form again, saying the login failed',
        ...PAGE_ERRORS
      })
    }
  }, async (request, reply) => {
    const { interaction, userName, password } = request.body
    const pending = await pendingInteraction(app, request, interaction, now())
    if (userName === '' || password === '') {
      return render(reply, 400, { interaction, pending, userName, error: EMPTY_FIELDS })
    }
    const user = await app.users.verifyCredentials(userName, password)
    // The JSON login's audit events, and where they came from; never the password.
    if (!user) {
      request.log.info({ event: 'login_failed', via: 'login_page', userName, ip: request.ip }, 'login failed')
      app.metrics.logins.inc({ outcome: 'failed' })
      return render(reply, 401, { interaction, pending, userName, error: WRONG_CREDENTIALS })
    }
    request.log.info({ event: 'login_succeeded', via: 'login_page', userName, sub: user.id, ip: request.ip },
      'login succeeded')
    app.metrics.logins.inc({ outcome: 'succeeded' })
    const at = now()
    const previous = await browserSession(app, request, at)
    if (previous) await app.sessions.end(previous.sid, at)
    const { handle, session } = await app.sessions.create(user.id, at)
    const cookie = app.browserCookies.session
    // The cookie lives as long as the session can: its absolute lifetime (the idle one is checked server-side).
    reply.setCookie(cookie.name, handle, { ...cookie.options, maxAge: Math.floor((session.expiresAt - at) / 1000) })
    return reply.redirect(`${AUTHORIZATION_RESUME_PATH}?${new URLSearchParams({ interaction }).toString()}`, 303)
  })
}
