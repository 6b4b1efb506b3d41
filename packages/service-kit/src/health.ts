import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { HealthSchema } from '@repo/contracts/health'

export interface HealthOptions {
  /** True once the service can do its job; `/health/ready` answers 503 until then. */
  isReady: () => boolean
}

/** `GET /health/live` (the process answers) and `GET /health/ready` (it can serve traffic). */
export async function healthRoutes (fastify: FastifyInstance, { isReady }: HealthOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const schema = { response: { 200: HealthSchema, 503: HealthSchema } }

  app.get('/health/live', { schema, logLevel: 'warn' }, async () => ({ status: 'ok' as const }))

  app.get('/health/ready', { schema, logLevel: 'warn' }, async (request, reply) => {
    if (isReady()) return { status: 'ok' as const }
    return reply.code(503).send({ status: 'unavailable' as const })
  })
}
