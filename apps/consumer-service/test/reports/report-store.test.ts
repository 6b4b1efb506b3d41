import { describe, expect, inject, it, onTestFinished } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { createTestDatabase } from '@repo/service-harness/postgres-server'
import { ReportStore } from '../../src/reports/report-store.js'
import { tempDataDir } from '../helper.js'

const ENGINES = ['sqlite', 'postgres'] as const

describe.each(ENGINES)('ReportStore on %s', (engine) => {
  async function open () {
    const location = engine === 'sqlite'
      ? { dataDir: await tempDataDir() }
      : { dataDir: '/nonexistent', databaseUrl: await createTestDatabase(inject('postgresAdminUrl')) }
    const reports = await ReportStore.open(location)
    onTestFinished(() => reports.close())
    return reports
  }

  it('numbers reports from 1 and lists the newest first, up to the limit', async () => {
    const reports = await open()
    const at = new Date('2030-01-01T00:00:00.000Z')
    expect(await reports.create('first', 'u1', at)).toEqual({ id: 1, title: 'first', createdBy: 'u1', createdAt: '2030-01-01T00:00:00.000Z' })
    await reports.create('second', 'u2', at)
    await reports.create('third', 'u1', at)
    expect((await reports.latest(2)).map((report) => [report.id, report.title])).toEqual([[3, 'third'], [2, 'second']])
  })
})
