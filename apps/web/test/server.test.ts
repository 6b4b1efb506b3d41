import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../src/server/app.js'

const CONFIG = {
  issuer: 'http://127.0.0.1:3001',
  consumerUrl: 'http://127.0.0.1:3000',
  clientId: 'web-app',
  logLevel: 'silent' as const,
  prettyLogs: false
}

describe('the web app\'s server', () => {
  let app: FastifyInstance
  let publicDir: string

  beforeAll(async () => {
    // A stand-in for Vite's output: the server is tested without building the page.
    publicDir = await mkdtemp(join(tmpdir(), 'web-public-'))
    await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>Reports</title>')
    await writeFile(join(publicDir, 'app.js'), 'export {}')
    app = await buildApp(CONFIG, { publicDir })
  })
  afterAll(async () => {
    await app?.close()
    await rm(publicDir, { recursive: true, force: true })
  })

  it('serves the page at / and /callback with a strict CSP, no referrer, no framing and no caching', async () => {
    for (const url of ['/', '/callback?code=abc&state=def']) {
      const response = await app.inject({ url })
      expect(response.statusCode).toBe(200)
      expect(response.body).toContain('<title>Reports</title>')
      expect(response.headers).toMatchObject({
        'content-security-policy': "default-src 'none';script-src 'self';style-src 'self';img-src 'self';" +
          "connect-src 'self' http://127.0.0.1:3001 http://127.0.0.1:3000;form-action 'self';base-uri 'none';" +
          "frame-ancestors 'none'",
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store'
      })
      expect(response.headers['content-security-policy']).not.toContain('unsafe')
    }
  })

  it('serves /config.json with what the page needs to know, uncached', async () => {
    const response = await app.inject({ url: '/config.json' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.json()).toEqual({ issuer: CONFIG.issuer, consumerUrl: CONFIG.consumerUrl, clientId: 'web-app' })
  })

  it('serves the built files with the same headers, and 404 for anything else', async () => {
    const script = await app.inject({ url: '/app.js' })
    expect(script.statusCode).toBe(200)
    expect(script.headers['content-security-policy']).toContain("script-src 'self'")
    const missing = await app.inject({ url: '/reports/1' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  })
})
