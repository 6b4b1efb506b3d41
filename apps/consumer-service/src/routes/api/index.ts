import type { FastifyInstance } from 'fastify'
import { protectedRoutes } from './protected.js'
import { reportRoutes } from './reports.js'

/**
 * Everything under `/api/v1`, in one encapsulated scope whose every route is authenticated: the
 * hook is registered once, here, so a route added to this scope cannot be public by mistake.
 */
export async function apiRoutes (app: FastifyInstance, { now }: { now: () => number }) {
  app.addHook('onRequest', app.authenticate)
  await app.register(protectedRoutes)
  await app.register(reportRoutes, { now })
}
