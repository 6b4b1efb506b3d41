import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { Registry } from 'prom-client'
import { describe, expect, it, vi } from 'vitest'
import { DatabaseOutage } from '../src/database-outage.js'
import { sqlDatabasePlugin } from '../src/sql-database-plugin.js'
import type { OpenSqlDatabaseOptions } from '../src/sql/open-sql-database.js'

function capture () {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>)
      done()
    }
  })
  return { lines, logger: { level: 'info', stream } }
}

describe('sqlDatabasePlugin', () => {
  it('opens with the wait and outage tracking, says so, decorates, and closes with the app', async () => {
    const { lines, logger } = capture()
    const opened = { close: vi.fn(async () => {}) }
    const open = vi.fn(async (_location: unknown, options: OpenSqlDatabaseOptions) => {
      options.onWaiting?.(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      return opened
    })
    const decorate = vi.fn()
    const app = Fastify({ logger })
    await app.register(sqlDatabasePlugin({ name: 'test-db', file: 'test.db', open, decorate }), {
      dataDir: '/srv/data', connectTimeoutMs: 2000, startWaitMs: 30_000, registry: new Registry()
    })
    await app.ready()

    const waits = expect.objectContaining({ connectTimeoutMs: 2000, waitMs: 30_000 })
    expect(open).toHaveBeenCalledWith({ dataDir: '/srv/data' }, waits)
    expect(open.mock.calls[0]?.[1].availability).toBeInstanceOf(DatabaseOutage)
    expect(decorate).toHaveBeenCalledWith(app, opened, open.mock.calls[0]?.[1].availability)
    expect(lines.filter((line) => line.component === 'database').map((line) => [line.msg, line.reason])).toEqual([
      ['database not reachable yet; retrying every second for 30 s', 'ECONNREFUSED'],
      ['database ready', undefined]
    ])
    expect(lines.at(-1)?.database).toBe('sqlite:/srv/data/test.db')
    expect(opened.close).not.toHaveBeenCalled()
    await app.close()
    expect(opened.close).toHaveBeenCalledOnce()
  })

  it('is named for the plugins that depend on it', async () => {
    const app = Fastify()
    const open = async () => ({ close: async () => {} })
    await app.register(sqlDatabasePlugin({ name: 'test-db', file: 'test.db', open, decorate: () => {} }), {
      dataDir: '/srv/data', connectTimeoutMs: 2000, startWaitMs: 0, registry: new Registry()
    })
    await app.register(async () => {}, { name: 'user', dependencies: ['test-db'] } as object)
    await expect(app.ready()).resolves.toBeDefined()
    expect(app.hasPlugin('test-db')).toBe(true)
    await app.close()
  })
})
