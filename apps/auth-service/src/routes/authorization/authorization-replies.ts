import type { FastifyReply } from 'fastify'
import { authorizationErrorPage } from '../../authorization/error-page.js'

/** A redirect of the authorization flow; never cached, since it may carry a code. */
export const redirectTo = (reply: FastifyReply, location: string): FastifyReply =>
  reply.code(303).header('cache-control', 'no-store').header('location', location).send()

/** The error page (authorization/error-page.ts), in a scope no script or frame can use. */
export const errorPage = (reply: FastifyReply, message: string, status = 400): FastifyReply =>
  reply.code(status).header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8').send(authorizationErrorPage(message))
