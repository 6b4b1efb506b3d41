import { once } from 'node:events'
import { createConnection, createServer, type Server } from 'node:net'
import { describe, expect, inject, it, onTestFinished } from 'vitest'
import type {} from '@repo/service-harness/postgres-global-setup'
import { freePort } from '@repo/service-harness/service-process'
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

describe('connectWhenUp', () => {
  it('fails at once when nothing listens and it may not wait', async () => {
    const port = await freePort()
    await expect(connectWhenUp(urlOn(port))).rejects.toMatchObject({ code: 'ECONNREFUSED' })
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

  it('gives up with the last error when the server stays down for the whole wait', async () => {
    const port = await freePort()
    let waited = 0
    await expect(connectWhenUp(urlOn(port), { waitMs: 1500, onWaiting: () => { waited++ } })).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    expect(waited).toBe(1)
  })

  it('does not wait for an error that waiting cannot fix: a database that does not exist', async () => {
    const url = new URL(inject('postgresAdminUrl'))
    url.pathname = '/no_such_database'
    let waited = 0
    await expect(connectWhenUp(url.toString(), { waitMs: 10_000, onWaiting: () => { waited++ } })).rejects.toMatchObject({ code: '3D000' })
    expect(waited).toBe(0)
  })
})
