import type { FastifyError, FastifyInstance } from 'fastify'
import { errorPage } from './page-errors.js'

/** Errors of the pages' scope become pages that say in words what happened, never a JSON body. */
export function handlePageErrors (app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const page = errorPage(error)
    if (page.status >= 500 && page.status !== 503) request.log.error({ err: error }, 'page request failed')
    else request.log.info({ status: page.status, reason: error.code ?? error.name }, 'page request refused')
    return reply.code(page.status).headers(page.headers)
      .view('message', { title: page.title, message: page.message, advice: page.advice, alert: true })
  })
}
