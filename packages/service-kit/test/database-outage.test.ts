import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { Registry } from 'prom-client'
import { describe, expect, it, vi } from 'vitest'
import { DatabaseOutage, trackDatabaseOutages } from '../src/database-outage.js'
import { errorHandlerPlugin } from '../src/error-handler.js'
import type { SqlQueryable } from '../src/sql/database.js'
import { DatabaseUnavailableError } from '../src/sql/unavailable.js'

function capture () {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>)
      done()
    }
  })
  const options = { level: 'debug', stream }
  return { lines, options, logger: Fastify({ logger: options }).log }
}

/** A database whose `SELECT 1` does what `answer` says, counting the pings. */
function fakeDb (answer: () => Promise<unknown>) {
  const db = { pings: 0, get: async () => { db.pings++; return answer() } }
  return db as unknown as SqlQueryable & { pings: number }
}

const refused = new DatabaseUnavailableError('ECONNREFUSED')

describe('DatabaseOutage', () => {
  it('logs an outage twice, not per request: info when it starts, one warning with its start, end and refusals when it ends', () => {
    let now = Date.UTC(2026, 11, 7, 3, 0, 0)
    const { lines, logger } = capture()
    const registry = new Registry()
    const outage = new DatabaseOutage({ log: logger, registry, pingTimeoutMs: 1000, now: () => now })
    for (let i = 0; i < 40; i++) outage.refused(refused)
    now += 5300
    outage.available()
    outage.available()
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [30, 'database unreachable: requests that need it are answered 503 until it is back'],
      [40, 'database was unreachable; serving again']
    ])
    expect(lines[1]).toMatchObject({
      event: 'database_outage',
      startedAt: '2026-12-07T03:00:00.000Z',
      endedAt: '2026-12-07T03:00:05.300Z',
      durationMs: 5300,
      refusedRequests: 40,
      reason: 'ECONNREFUSED'
    })
  })

  it('counts outages and refusals in metrics, and says whether the database is up', async () => {
    const registry = new Registry()
    const outage = new DatabaseOutage({ log: capture().logger, registry, pingTimeoutMs: 1000 })
    outage.refused(refused)
    outage.refused(refused)
    expect(await registry.getSingleMetricAsString('database_up')).toContain('database_up 0')
    outage.available()
    const text = await registry.metrics()
    expect(text).toContain('database_up 1')
    expect(text).toContain('database_outages_total 1')
    expect(text).toContain('database_unavailable_responses_total 2')
  })

  it('is ready without a ping while statements succeed; pings once for all probes when they have not lately', async () => {
    let now = 1_000_000
    const outage = new DatabaseOutage({ log: capture().logger, registry: new Registry(), pingTimeoutMs: 1000, now: () => now })
    const db = fakeDb(async () => ({ '?column?': 1 }))
    outage.available()
    expect(await outage.notReadyReason(db)).toBeUndefined()
    expect(db.pings).toBe(0)
    now += 1000
    expect(await Promise.all([outage.notReadyReason(db), outage.notReadyReason(db), outage.notReadyReason(db)])).toEqual([undefined, undefined, undefined])
    expect(db.pings).toBe(1)
  })

  it('is not ready while the ping cannot reach the database, with the reason; ready again once it can', async () => {
    const outage = new DatabaseOutage({ log: capture().logger, registry: new Registry(), pingTimeoutMs: 1000 })
    let up = false
    const db = fakeDb(async () => { if (!up) throw refused })
    expect(await outage.notReadyReason(db)).toBe('database unreachable (ECONNREFUSED)')
    expect(outage.current).toMatchObject({ reason: 'ECONNREFUSED' })
    // During an outage every probe asks the database again: readiness follows it, not a cache.
    expect(await outage.notReadyReason(db)).toBe('database unreachable (ECONNREFUSED)')
    up = true
    expect(await outage.notReadyReason(db)).toBeUndefined()
    expect(outage.current).toBeUndefined()
    expect(db.pings).toBe(3)
  })

  it('bounds the ping: a database that never answers is not ready after pingTimeoutMs', async () => {
    vi.useFakeTimers()
    try {
      const outage = new DatabaseOutage({ log: capture().logger, registry: new Registry(), pingTimeoutMs: 300 })
      const answer = outage.notReadyReason(fakeDb(() => new Promise(() => {})))
      await vi.advanceTimersByTimeAsync(300)
      expect(await answer).toBe('database unreachable (ping_timeout)')
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('trackDatabaseOutages', () => {
  it('counts every request answered 503 because of the database, in every route scope', async () => {
    const { lines, options } = capture()
    const app = Fastify({ logger: options })
    await app.register(errorHandlerPlugin)
    const registry = new Registry()
    const outage = trackDatabaseOutages(app, { registry, pingTimeoutMs: 1000 })
    await app.register(async (scope) => {
      scope.get('/reports', async () => { throw new DatabaseUnavailableError('57P01') })
    }, { prefix: '/api' })
    for (let i = 0; i < 3; i++) {
      const response = await app.inject('/api/reports')
      expect([response.statusCode, response.headers['retry-after']]).toEqual([503, '2'])
    }
    outage.available()
    expect(await registry.metrics()).toContain('database_unavailable_responses_total 3')
    expect(lines.filter((line) => line.level as number >= 40)).toEqual([expect.objectContaining({ refusedRequests: 3, reason: '57P01' })])
    // No stack for any of the refused requests.
    expect(lines.filter((line) => line.err !== undefined)).toEqual([])
    await app.close()
  })
})
