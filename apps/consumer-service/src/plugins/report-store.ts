import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ReportStore } from '../reports/report-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    reports: ReportStore
  }
}

/** Opens the reports database under DATA_DIR and closes it when the app closes. */
export const reportStorePlugin = fp(async function reportStore (app: FastifyInstance, { dataDir }: { dataDir: string }) {
  const reports = ReportStore.open(dataDir)
  app.decorate('reports', reports)
  app.addHook('onClose', async () => reports.close())
}, { name: 'report-store' })
