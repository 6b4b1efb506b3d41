import { join } from 'node:path'
import fastifyHelmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyInstance } from 'fastify'
import { loggerOptions } from '@repo/service-kit/logger'
import type { WebConfig } from './config.js'
import { helmetOptions } from './security-headers.js'

/** dist/server → dist/public, where Vite writes the page. */
export const PUBLIC_DIR = join(import.meta.dirname, '..', 'public')

/** Paths the page handles itself: a reload or a redirect there gets the page. */
const PAGE_PATHS = ['/', '/callback']

/** What the page reads at start: one built page fits any deployment. */
export interface PageConfig {
  issuer: string
  consumerUrl: string
  clientId: string
}

export async function buildApp (
  config: Pick<WebConfig, 'issuer' | 'consumerUrl' | 'clientId' | 'logLevel' | 'prettyLogs'>,
  { publicDir = PUBLIC_DIR }: { publicDir?: string } = {}
): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions({ level: config.logLevel, pretty: config.prettyLogs }) })
  await app.register(fastifyHelmet, helmetOptions(config))
  // index: false so that the page itself is served only by the routes below, with no-store.
  await app.register(fastifyStatic, { root: publicDir, index: false, wildcard: true })

  const pageConfig: PageConfig = { issuer: config.issuer, consumerUrl: config.consumerUrl, clientId: config.clientId }
  app.get('/config.json', async (_request, reply) => reply.header('cache-control', 'no-store').send(pageConfig))
  for (const path of PAGE_PATHS) {
    // no-store keeps a signed-in page out of the back/forward cache: Back after sign-out loads it afresh.
    app.get(path, async (_request, reply) =>
      reply.header('cache-control', 'no-store').sendFile('index.html', { cacheControl: false }))
  }
  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get('/health/ready', async () => ({ status: 'ok' }))
  return app
}
