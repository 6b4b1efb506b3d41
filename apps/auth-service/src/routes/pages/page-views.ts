import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import fastifyView from '@fastify/view'
import { Eta } from 'eta'
import { STYLESHEET_PATH } from '@repo/contracts/authorization'

/**
 * The templates and the stylesheet: `views/` of the package, beside `src/` and `dist/` (this file is
 * at the same depth in both), shipped through the package's `files` and the Dockerfile.
 */
export const VIEWS_DIR = fileURLToPath(new URL('../../../views/', import.meta.url))

/**
 * Server-side rendering with Eta (`<%= %>` escapes HTML), and the one stylesheet. @fastify/static
 * serves no directory (`serve: false`): only STYLESHEET_PATH answers, with that file.
 */
export async function registerPageViews (app: FastifyInstance) {
  await app.register(fastifyView, {
    engine: { eta: new Eta({ autoEscape: true, autoTrim: false }) },
    templates: VIEWS_DIR,
    defaultContext: { stylesheet: STYLESHEET_PATH }
  })
  await app.register(fastifyStatic, { root: `${VIEWS_DIR}assets`, serve: false })
  const css = { description: 'The stylesheet', content: { 'text/css': { schema: { type: 'string' } } } }
  app.get(STYLESHEET_PATH, { schema: { response: { 200: css } } }, (request, reply) =>
    reply.sendFile('pages.css', { maxAge: '1h' }))
}
