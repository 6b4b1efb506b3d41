import { readFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestTls, type TestTls } from '@repo/service-harness/tls'
import { launchChromium } from '../src/chromium.js'
import { issuerRoute, spkiHash } from '../src/issuer-route.js'

// The compose stack's issuer URL, served here on another port of loopback by a certificate of a CA
// made for this test: what the compose browser test meets, without Docker.
const ISSUER = 'https://auth.localhost:3001'

describe('issuerRoute: the issuer URL routed to the port a test published it on', () => {
  let tls: TestTls
  let server: Server
  let port: number
  let trust: { ca: string, serverCertificate: string }
  beforeAll(async () => {
    tls = await createTestTls(['auth.localhost'])
    const [cert, key] = await Promise.all([readFile(tls.serverEnv.TLS_CERT_FILE), readFile(tls.serverEnv.TLS_KEY_FILE)])
    server = createServer({ cert, key }, (request, response) => response.end(`host ${request.headers.host}`))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    trust = { ca: tls.ca, serverCertificate: cert.toString() }
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await tls.remove()
  })

  it('takes Node to it, with the issuer\'s name for the certificate and the Host header', async () => {
    const route = issuerRoute(ISSUER, port, trust)
    try {
      expect(await (await route.fetch(`${ISSUER}/x`)).text()).toBe('host auth.localhost:3001')
      // Only the issuer's host and port are routed: the same name on another port is not.
      await expect(route.fetch('https://auth.localhost:3002/x')).rejects.toThrow()
    } finally {
      await route.close()
    }
  })

  it('refuses a server whose certificate another CA signed', async () => {
    const other = await createTestTls(['auth.localhost'])
    const route = issuerRoute(ISSUER, port, { ...trust, ca: other.ca })
    try {
      await expect(route.fetch(`${ISSUER}/x`)).rejects.toThrow()
    } finally {
      await route.close()
      await other.remove()
    }
  })

  it('takes Chromium to it, trusting that server\'s key alone', async () => {
    const browser = await launchChromium({ args: issuerRoute(ISSUER, port, trust).chromiumArgs })
    const untrusting = await launchChromium({
      args: [`--host-resolver-rules=MAP auth.localhost:3001 127.0.0.1:${port}`]
    })
    try {
      const page = await browser.newPage()
      await page.goto(`${ISSUER}/x`)
      expect(await page.textContent('body')).toBe('host auth.localhost:3001')
      // The same route without the server's key on the list: Chromium refuses the certificate.
      const refused = await untrusting.newPage().then((other) => other.goto(`${ISSUER}/x`)).catch((error: Error) => error)
      expect(String(refused)).toMatch(/ERR_CERT_AUTHORITY_INVALID/)
    } finally {
      await Promise.all([browser.close(), untrusting.close()])
    }
  })

  it('names a CA by the SHA-256 of its public key', () => {
    expect(spkiHash(tls.ca)).toMatch(/^[A-Za-z0-9+/]{43}=$/)
  })
})

describe('issuerRoute for a plain-http issuer (http://auth.localhost:3001): the route alone', () => {
  const PLAIN_ISSUER = 'http://auth.localhost:3001'
  const server = createHttpServer((request, response) => response.end(`host ${request.headers.host}`))
  let port: number
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  it('takes Node and Chromium to it with the issuer\'s Host header, and trusts no certificate', async () => {
    const route = issuerRoute(PLAIN_ISSUER, port)
    expect(route.chromiumArgs).toEqual([`--host-resolver-rules=MAP auth.localhost:3001 127.0.0.1:${port}`])
    const browser = await launchChromium({ args: route.chromiumArgs })
    try {
      expect(await (await route.fetch(`${PLAIN_ISSUER}/x`)).text()).toBe('host auth.localhost:3001')
      const page = await browser.newPage()
      await page.goto(`${PLAIN_ISSUER}/x`)
      expect(await page.textContent('body')).toBe('host auth.localhost:3001')
    } finally {
      await Promise.all([browser.close(), route.close()])
    }
  })
})
