import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PUBLIC_JWK_MEMBERS } from '@repo/contracts/jwks'
import { LOGIN_PATH } from '@repo/contracts/login'
import { call, tokenFor, waitForReady } from '@repo/service-harness/http'
import {
  TLS_OVERLAY, requireDockerEngine, upComposeStack, type ComposeStack
} from '@repo/service-harness/compose-stack'
import { nodePeakRssMiB, peakMemoryMiB, sustain } from '../src/container-memory.js'

const dockerReachable = await requireDockerEngine('integration tests')

const TOKEN_ISSUER = 'https://auth.localhost:3001'
/** docker-compose.yml's mem_limit of each service. */
const CONSUMER_MEMORY_MIB = 128
const AUTH_MEMORY_MIB = 256
const WEB_MEMORY_MIB = 128

// With the TLS overlay: everything the default stack does, plus HTTPS between the services. The default
// stack (plain http on loopback) is the browser suite's (tests/browser/test/compose.test.ts)
// and the walkthrough's in .ci/run.
describe.skipIf(!dockerReachable)(`docker compose up with ${TLS_OVERLAY}: the pair in containers`, () => {
  let stack: ComposeStack

  beforeAll(async () => {
    try {
      stack = await upComposeStack({ files: ['docker-compose.yml', TLS_OVERLAY] })
    } catch (error) {
      await stack?.down().catch(() => {})
      throw error
    }
  })

  afterAll(async () => {
    await stack?.down()
  })

  // The auth service speaks HTTPS with the stack's CA, which the host's Node does not trust by itself.
  const login = (userName: string, password: string) => tokenFor(stack.authUrl, userName, password, stack.authInit)
  const authFetch = (path: string, init: RequestInit = {}) => fetch(`${stack.authUrl}${path}`, { ...init, ...stack.authInit })
  const waitUntilReady = (url: string) => waitForReady(url, { timeoutMs: 60_000, init: url === stack.authUrl ? stack.authInit : {} })

  it('walks the README path over the compose network', async () => {
    const jane = await login('Jane', 'pass123')
    const john = await login('John', 'testpass')

    const granted = await call(`${stack.consumerUrl}/api/v1/protected`, jane)
    expect(granted.status).toBe(200)
    // The consumer trusts https://auth.localhost:3001, the auth service's alias on the compose network.
    expect(granted.body).toMatchObject({ claims: { iss: TOKEN_ISSUER, role: 'write' } })

    const post = (token: string) => call(`${stack.consumerUrl}/api/v1/reports`, token, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'from the host' })
    })
    expect((await post(jane)).status).toBe(201)
    const denied = await post(john)
    expect(denied.status).toBe(403)
    expect(denied.body).toMatchObject({ code: 'insufficient_scope' })

    const [header, payload, signature] = jane.split('.') as [string, string, string]
    const tampered = `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`
    const refused = await call(`${stack.consumerUrl}/api/v1/protected`, tampered)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('publishes only public key members to the host', async () => {
    const response = await authFetch('/.well-known/jwks.json')
    expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/)
    const { keys } = await response.json() as { keys: Array<Record<string, unknown>> }
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      for (const member of Object.keys(key)) expect(PUBLIC_JWK_MEMBERS).toContain(member)
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member)
    }
  })

  it('serves the issuer over HTTPS with the stack\'s own CA, which the consumer trusts without the insecure allowance', async () => {
    // Refused by a client that does not trust the CA. The server sends the CA with its certificate
    // (OpenSSL completes the chain from the roots it trusts, NODE_EXTRA_CA_CERTS for its health check).
    await expect(fetch(`${stack.authUrl}/health/ready`)).rejects.toMatchObject({ cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } })
    expect((await authFetch('/health/ready')).status).toBe(200)
    const discovery = await (await authFetch('/.well-known/openid-configuration')).json() as Record<string, unknown>
    expect(discovery).toMatchObject({ issuer: TOKEN_ISSUER, jwks_uri: `${TOKEN_ISSUER}/.well-known/jwks.json` })

    const auth = await stack.container('auth-service')
    expect(await auth.exec(['stat', '-c', '%U %a %n', '/app/tls/server.key', '/app/tls/server.crt'])).toBe('node 600 /app/tls/server.key\nnode 644 /app/tls/server.crt\n')
    const consumer = await stack.container('consumer-service')
    // The consumer gets the CA certificate and nothing else: neither the server's key nor the CA's.
    expect(await consumer.exec(['ls', '/app/trust'])).toBe('ca.crt\n')
    expect(await consumer.exec(['cat', '/app/trust/ca.crt'])).toBe(stack.ca)
    const env = await consumer.env()
    expect(env).toContain('NODE_EXTRA_CA_CERTS=/app/trust/ca.crt')
    expect(env.filter((line) => line.startsWith('ALLOW_INSECURE_ISSUERS='))).toEqual([])
    const logs = await consumer.logs()
    expect(logs).toContain('"msg":"JWKS fetched"')
    expect(logs).not.toContain('ALLOW_INSECURE_ISSUERS')
  })

  it('runs both services and the web app as the unprivileged node user', async () => {
    expect(await (await stack.container('auth-service')).user()).toBe('node')
    expect(await (await stack.container('consumer-service')).user()).toBe('node')
    expect(await (await stack.container('web')).user()).toBe('node')
  })

  it('serves the web app\'s page, script and configuration under load within its memory limit', async () => {
    const web = await stack.container('web')
    expect((await web.memory()).limitBytes).toBe(WEB_MEMORY_MIB * 1048576)
    const page = await fetch(stack.webUrl)
    expect(page.status).toBe(200)
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1]
    expect(script).toBeDefined()
    const paths = ['/', script as string, '/config.json']
    // 20 connections for 5 s, the page's three requests in turn; a connection the server dropped counts as 0.
    const statuses = await sustain(20, 5, async (i) => {
      const response = await fetch(`${stack.webUrl}${paths[i % paths.length] as string}`).catch(() => undefined)
      await response?.arrayBuffer()
      return response?.status ?? 0
    })
    const peak = await peakMemoryMiB(web)
    console.log(`web under load: ${JSON.stringify(statuses)}; cgroup peak ${peak} MiB of ${WEB_MEMORY_MIB}, Node peak RSS ${await nodePeakRssMiB(web)} MiB`)
    // The container first: a kill by its memory limit is what dropped connections would mean.
    expect(await web.memory()).toMatchObject({ oomKilled: false, restarts: 0 })
    expect(Object.keys(statuses)).toEqual(['200'])
  })

  it('holds each container\'s memory limit under load: no OOM kill, no restart', async () => {
    const consumer = await stack.container('consumer-service')
    const auth = await stack.container('auth-service')
    expect((await consumer.memory()).limitBytes).toBe(CONSUMER_MEMORY_MIB * 1048576)
    expect((await auth.memory()).limitBytes).toBe(AUTH_MEMORY_MIB * 1048576)

    // Concurrent logins: scrypt takes 32 MiB per hash on each of libuv's threads (under the per-IP login limit).
    const logins = await Promise.all(Array.from({ length: 12 }, () => authFetch(LOGIN_PATH, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'Jane', password: 'pass123' })
    })))
    expect(logins.map((response) => response.status)).toEqual(Array(12).fill(200))
    const tokens = await Promise.all(logins.map(async (response) => (await response.json() as { access_token: string }).access_token))

    // 50 connections for 15 s through the consumer, the tokens in turn.
    const statuses = await sustain(50, 15, async (i) => (await fetch(`${stack.consumerUrl}/api/v1/protected`, {
      headers: { authorization: `Bearer ${tokens[i % tokens.length] as string}` }
    })).status)
    const peaks = { consumer: await peakMemoryMiB(consumer), auth: await peakMemoryMiB(auth) }
    const rss = { consumer: await nodePeakRssMiB(consumer), auth: await nodePeakRssMiB(auth) }
    console.log(`memory under load: ${JSON.stringify(statuses)}; consumer: cgroup peak ${peaks.consumer} MiB (page cache included) of ${CONSUMER_MEMORY_MIB}, Node peak RSS ${rss.consumer} MiB; auth: ${peaks.auth} MiB of ${AUTH_MEMORY_MIB}, ${rss.auth} MiB`)
    expect(Object.keys(statuses)).toEqual(['200'])
    expect(statuses[200]).toBeGreaterThan(1000)
    for (const container of [consumer, auth]) expect(await container.memory()).toMatchObject({ oomKilled: false, restarts: 0 })
    // Reported, not asserted: the cgroup's peak is what its limit bounds (a kill is what would show it
    // was reached), and a process's RSS counts shared pages of the node binary the cgroup charges once.
  })

  it('keeps users, keys and earlier tokens across a restart of the auth container', async () => {
    const token = await login('Jane', 'pass123')
    const before = await (await authFetch('/.well-known/jwks.json')).json()

    await (await stack.container('auth-service')).restart()
    await waitUntilReady(stack.authUrl)

    expect(await (await authFetch('/.well-known/jwks.json')).json()).toEqual(before)
    expect((await call(`${stack.consumerUrl}/api/v1/protected`, token)).status).toBe(200)
    const fresh = await login('Jane', 'pass123')
    expect((await call(`${stack.consumerUrl}/api/v1/protected`, fresh)).status).toBe(200)
  })

  it('keeps accepting known keys while the auth container is stopped', async () => {
    const token = await login('John', 'testpass')
    const auth = await stack.container('auth-service')
    await auth.stop()
    try {
      const response = await call(`${stack.consumerUrl}/api/v1/protected`, token)
      expect(response.status).toBe(200)
      expect((await fetch(`${stack.consumerUrl}/health/live`)).status).toBe(200)
    } finally {
      await auth.start()
      await waitUntilReady(stack.authUrl)
    }
  })
})
