import { errorCodes, type FastifyInstance } from 'fastify'
import { tokenSentTwice } from '../../auth/refusals.js'
import { protectedRoutes } from './protected.js'
import { reportRoutes } from './reports.js'

/**
 * Everything under `/api/v1`, in one encapsulated scope whose every route is authenticated: the
 * hook is registered once, here, so a route added to this scope cannot be public by mistake.
 */
export async function apiRoutes (app: FastifyInstance, { now }: { now: () => number }) {
  app.addHook('onRequest', app.authenticate)

  // No route here takes a form body. One that carries `access_token` beside the Authorization header
  // is a token sent two ways (RFC 6750 §2): 400. Any other form body: 415, as for every other type.
  const form = { parseAs: 'string', bodyLimit: 16 * 1024 } as const
  app.addContentTypeParser('application/x-www-form-urlencoded', form, (request, body, done) => {
    if (new URLSearchParams(String(body)).has('access_token')) {
      const reason = 'a token in the form body as well as the Authorization header'
      request.log.info({ reason }, 'access token rejected')
      done(tokenSentTwice(app.challenges, request, request.tokenScheme), undefined)
      return
    }
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type']), undefined)
  })

  await app.register(protectedRoutes)
  await app.register(reportRoutes, { now })
}
