import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { AUTHORIZATION_RESUME_PATH } from '@repo/contracts/authorization'
import { continueAuthorization } from './continue-authorization.js'
import { errorPage } from './authorization-replies.js'
import type { AuthorizationRoutesOptions } from './options.js'

const ResumeQuerySchema = Type.Object({
  interaction: Type.String({ minLength: 1, maxLength: 100 }),
  /** Set by the consent page when the user refused. */
  denied: Type.Optional(Type.Literal('1'))
})

/**
 * `GET /authorize/resume?interaction=`: where the login and consent pages send the browser back.
 * Only the browser that started the request (its interaction cookie holds the id) continues it.
 */
export async function resumeRoute (fastify: FastifyInstance, options: AuthorizationRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(AUTHORIZATION_RESUME_PATH, {
    schema: { querystring: ResumeQuerySchema }
  }, async (request, reply) => {
    const { interaction: id, denied } = request.query
    if (request.cookies[app.browserCookies.interaction.name] !== id) {
      return errorPage(reply, 'This sign-in was started in another browser or tab.')
    }
    const pending = await app.pendingAuthorizations.find(id, options.now())
    if (!pending || pending.pushed) {
      return errorPage(reply, 'This sign-in has expired. Go back to the application and sign in again.')
    }
    // Without a usable session, continueAuthorization sends the browser back to the login page.
    const interaction = { id, createdAt: pending.createdAt, denied: denied === '1' }
    return continueAuthorization(app, request, reply, pending.parameters, options, interaction)
  })
}
