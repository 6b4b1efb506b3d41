import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { CreateReportRequestSchema, ReportListSchema, ReportSchema } from '@repo/contracts/reports'
import { REPORTS_READ, REPORTS_WRITE } from '@repo/contracts/scopes'
import { requireScope } from '../../auth/require-scope.js'
import { AUTH_ERROR_RESPONSES } from './protected.js'

/** Authorization by scope: reading needs `reports:read`, creating needs `reports:write`. */
export async function reportRoutes (fastify: FastifyInstance, { now }: { now: () => number }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/reports', {
    preHandler: requireScope(REPORTS_READ),
    schema: { response: { 200: ReportListSchema, ...AUTH_ERROR_RESPONSES } }
  }, async () => ({ reports: await app.reports.latest(50) }))

  app.post('/reports', {
    preHandler: requireScope(REPORTS_WRITE),
    schema: {
      body: CreateReportRequestSchema,
      response: { 201: ReportSchema, ...AUTH_ERROR_RESPONSES, 413: ErrorBodySchema, 415: ErrorBodySchema }
    }
  }, async (request, reply) => {
    const report = await app.reports.create(request.body.title, request.user.sub, new Date(now()))
    request.log.info({ reportId: report.id, sub: request.user.sub }, 'report created')
    return reply.code(201).send(report)
  })
}
