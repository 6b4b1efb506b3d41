import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { AUTHORIZATION_RESUME_PATH, CONSENT_PATH, LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import { browserSession, clientNameOf, pendingInteraction } from './browser-state.js'
import { CsrfTokenSchema, InteractionIdSchema, PAGE_ERRORS, pageResponses } from './page-schemas.js'
import { scopeInWords } from './scope-words.js'

const ConsentFormSchema = Type.Object({
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  interaction: InteractionIdSchema,
  _csrf: CsrfTokenSchema
})

const withInteraction = (path: string, interaction: string, extra: Record<string, string> = {}) =>
  `${path}?${new URLSearchParams({ interaction, ...extra }).toString()}`

export interface ConsentPageOptions {
  now: () => number
}

/**
 * The consent page of a third-party client: `GET /consent?interaction=` shows what it asks for in
 * words, `POST /consent` answers. Allow records the consent and goes on to AUTHORIZATION_RESUME_PATH;
 * Deny goes there with `denied=1`, which answers the client `access_denied`. Without a session the
 * browser is sent to the login page of the same request first.
 */
export async function consentPage (fastify: FastifyInstance, { now }: ConsentPageOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(CONSENT_PATH, {
    schema: {
      querystring: Type.Object({ interaction: InteractionIdSchema }),
      response: pageResponses({
        200: 'What the client asks for, to allow or deny', 303: 'No session: to the login page', ...PAGE_ERRORS
      })
    }
  }, async (request, reply) => {
    const { interaction } = request.query
    const at = now()
    const pending = await pendingInteraction(app, request, interaction, at)
    const session = await browserSession(app, request, at)
    if (!session) return reply.redirect(withInteraction(LOGIN_PAGE_PATH, interaction), 303)
    const user = await app.users.findById(session.userId)
    const clientName = await clientNameOf(app, pending.parameters.clientId)
    return reply.view('consent', {
      title: `Allow ${clientName}?`,
      action: CONSENT_PATH,
      clientName,
      userName: user?.userName ?? session.userId,
      scopes: scopeInWords(pending.parameters.scope),
      csrfToken: reply.generateCsrf(),
      interaction
    })
  })

  app.post(CONSENT_PATH, {
    preValidation: app.csrfProtection,
    schema: {
      body: ConsentFormSchema,
      response: pageResponses({
        303: 'Answered: on to the authorization request (or to the login page)', ...PAGE_ERRORS
      })
    }
  }, async (request, reply) => {
    const { interaction, decision } = request.body
    const at = now()
    const pending = await pendingInteraction(app, request, interaction, at)
    const session = await browserSession(app, request, at)
    if (!session) return reply.redirect(withInteraction(LOGIN_PAGE_PATH, interaction), 303)
    if (decision === 'deny') {
      request.log.info({ event: 'consent_denied', sub: session.userId, clientId: pending.parameters.clientId },
        'consent denied')
      return reply.redirect(withInteraction(AUTHORIZATION_RESUME_PATH, interaction, { denied: '1' }), 303)
    }
    const { clientId, scope } = pending.parameters
    await app.consents.grant(session.userId, clientId, scope, at)
    request.log.info({ event: 'consent_granted', sub: session.userId, clientId, scope }, 'consent granted')
    return reply.redirect(withInteraction(AUTHORIZATION_RESUME_PATH, interaction), 303)
  })
}
