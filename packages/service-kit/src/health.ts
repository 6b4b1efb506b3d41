import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { HealthSchema, type Health } from '@repo/contracts/health'
import { probeLogLevel } from './logger.js'

export interface HealthOptions {
  /** True once the service can do its job; `/health/ready` answers 503 until then. */
  isReady: () => boolean
  /** Asked only once `isReady` holds: why the service cannot serve now (its database is away), or undefined. */
  notReadyReason?: () => Promise<string | undefined>
  /**
   * The service's LOG_LEVEL (not `logLevel`: Fastify reads that register option itself); probes are logged only at
   * debug and trace.
   */
  serviceLogLevel: string
  /** What `/health/ready` adds to its answer, ready or not (the consumer's Shared Signals state per issuer). */
  details?: () => Health['details']
}

/** `GET /health/live` (the process answers) and `GET /health/ready` (it can serve traffic). */
export async function healthRoutes (
  fastify: FastifyInstance, { isReady, notReadyReason, serviceLogLevel, details }: HealthOptions
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const schema = { response: { 200: HealthSchema, 503: HealthSchema } }
  const routeLogLevel = probeLogLevel(serviceLogLevel)

  app.get('/health/live', { schema, logLevel: routeLogLevel }, async () => ({ status: 'ok' as const }))

  app.get('/health/ready', { schema, logLevel: routeLogLevel }, async (request, reply) => {
    const extra = details === undefined ? {} : { details: details() }
    if (!isReady()) return reply.code(503).send({ status: 'unavailable' as const, ...extra })
    const reason = await notReadyReason?.()
    if (reason !== undefined) return reply.code(503).send({ status: 'unavailable' as const, reason, ...extra })
    return { status: 'ok' as const, ...extra }
  })
}
