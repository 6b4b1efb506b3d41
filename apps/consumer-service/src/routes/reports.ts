import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ErrorBodySchema } from '@repo/contracts/errors'
import { CreateReportRequestSchema, ReportListSchema, ReportSchema } from '@repo/contracts/reports'
import { REPORTS_READ, REPORTS_WRITE } from '@repo/contracts/scopes'
import type { ReportStore } from '../reports/report-store.js'
import { AUTH_ERROR_RESPONSES } from './protected.js'

export interface ReportRoutesOptions {
  reports: ReportStore
  now: () => number
}

/** Authorization by claims: reading needs `reports:read`, creating needs `reports:write`. */
export async function reportRoutes (fastify: FastifyInstance, { reports, now }: ReportRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/api/v1/reports', {
    onRequest: app.authenticate,
    preHandler: app.requireScope(REPORTS_READ),
    schema: { response: { 200: ReportListSchema, ...AUTH_ERROR_RESPONSES } }
  }, async () => ({ reports: reports.latest(50) }))

  app.post('/api/v1/reports', {
    onRequest: app.authenticate,
    preHandler: app.requireScope(REPORTS_WRITE),
    schema: {
      body: CreateReportRequestSchema,
      response: { 201: ReportSchema, ...AUTH_ERROR_RESPONSES, 413: ErrorBodySchema, 415: ErrorBodySchema }
    }
  }, async (request, reply) => {
    const report = reports.create(request.body.title, request.user.sub, new Date(now()))
    request.log.info({ reportId: report.id, sub: request.user.sub }, 'report created')
    return reply.code(201).send(report)
  })
}
