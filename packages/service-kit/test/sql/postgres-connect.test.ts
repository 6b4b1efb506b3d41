import { once } from 'node:events'
import { createConnection, createServer, type Server } from 'node:net'
import { describe, expect, inject, it, onTestFinished } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { freePort } from '@repo/service-harness/free-port'
import { startTcpForwarder } from '@repo/service-harness/tcp-forwarder'
import { connectWhenUp } from '../../src/sql/postgres-connect.js'

/** Starts forwarding `port` to the test server: PostgreSQL "coming up" on a port nothing listened on. */
async function comeUpOn (port: number): Promise<Server> {
  const target = new URL(inject('postgresAdminUrl'))
  const server = createServer((socket) => {
    const upstream = createConnection(Number(target.port), target.hostname)
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((resolve) => { server.close(() => resolve()) }))
  return server
}

const urlOn = (port: number) => {
  const url = new URL(inject('postgresAdminUrl'))
  url.port = String(port)
  return url.toString()
}

/** What `attempt` was rejected with (connected, it fails the test). */
const failureOf = (attempt: Promise<unknown>) => attempt.then(() => { throw new Error('expected no connection') }, (error: unknown) => error as Error)

describe('connectWhenUp', () => {
  it('fails at once when nothing listens and it may not wait', async () => {
    const port = await freePort()
    await expect(connectWhenUp(urlOn(port))).rejects.toMatchObject({ code: 'DATABASE_NOT_REACHABLE', cause: { code: 'ECONNREFUSED' } })
  })

  it('waits for a server that comes up, saying so once', async () => {
    const port = await freePort()
    const waiting: string[] = []
    const client = await connectWhenUp(urlOn(port), {
      waitMs: 10_000,
      onWaiting: (error) => {
        waiting.push((error as Error & { code: string }).code)
        comeUpOn(port).catch(() => {})
      }
    })
    onTestFinished(() => client.end())
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    expect(waiting).toEqual(['ECONNREFUSED'])
  })

  it('gives up only once the whole wait has passed, in one line naming the database (not its password) and the reason', async () => {
    const port = await freePort()
    const url = new URL(urlOn(port))
    url.password = 'hunter2'
    let waited = 0
    const started = performance.now()
    const failure = await failureOf(connectWhenUp(url.toString(), { waitMs: 1500, onWaiting: () => { waited++ } }))
    // Not before the bound: the last attempt is made at it.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1500)
    expect(failure).toMatchObject({ code: 'DATABASE_NOT_REACHABLE', cause: { code: 'ECONNREFUSED' } })
    expect(failure.message).toBe(`database postgres://postgres@127.0.0.1:${port}/postgres not reachable after 1.5 s (connect ECONNREFUSED 127.0.0.1:${port})`)
    expect(failure.message).not.toContain('hunter2')
    expect(waited).toBe(1)
  })

  it('bounds each attempt by the connection timeout: a server that never answers does not hold the start', async () => {
    const silent = await startTcpForwarder('127.0.0.1', 1)
    silent.mode = 'blackhole'
    onTestFinished(() => silent.close())
    const failure = await failureOf(connectWhenUp(urlOn(silent.port), { waitMs: 600, connectTimeoutMs: 200 }))
    expect(failure).toMatchObject({ code: 'DATABASE_NOT_REACHABLE' })
    expect(failure.message).toMatch(/not reachable after 0\.6 s \(no answer within 200 ms\)$/)
    // Attempts one second apart would fit one; bounded at 200 ms, the wait is not one attempt long.
    expect(silent.accepted).toBeGreaterThanOrEqual(2)
  })

  it('does not wait for an error that waiting cannot fix: a database that does not exist', async () => {
    const url = new URL(inject('postgresAdminUrl'))
    url.pathname = '/no_such_database'
    let waited = 0
    await expect(connectWhenUp(url.toString(), { waitMs: 10_000, onWaiting: () => { waited++ } })).rejects.toMatchObject({ code: '3D000' })
    expect(waited).toBe(0)
  })
})
