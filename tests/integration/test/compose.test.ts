import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PUBLIC_JWK_MEMBERS } from '@repo/contracts/jwks'
import { call, tokenFor, waitForReady } from '@repo/service-harness/http'
import { dockerEngine, upComposeStack, type ComposeStack } from '../src/compose-stack.js'

const engine = await dockerEngine()
if (!engine.ok) {
  if (process.env.REQUIRE_DOCKER === '1') {
    throw new Error(`REQUIRE_DOCKER=1 but no Docker engine is reachable: ${engine.reason}`)
  }
  console.warn(`integration tests skipped: no Docker engine is reachable (${engine.reason}); set REQUIRE_DOCKER=1 to fail instead`)
}

const login = (authUrl: string, userName: string, password: string) => tokenFor(authUrl, userName, password)
const waitUntilReady = (url: string) => waitForReady(url, { timeoutMs: 60_000 })

describe.skipIf(!engine.ok)('docker compose up: the pair in containers', () => {
  let stack: ComposeStack

  beforeAll(async () => {
    try {
      stack = await upComposeStack()
    } catch (error) {
      await stack?.down().catch(() => {})
      throw error
    }
  })

  afterAll(async () => {
    await stack?.down()
  })

  it('walks the README path over the compose network', async () => {
    const jane = await login(stack.authUrl, 'Jane', 'pass123')
    const john = await login(stack.authUrl, 'John', 'testpass')

    const granted = await call(`${stack.consumerUrl}/api/v1/protected`, jane)
    expect(granted.status).toBe(200)
    // The consumer trusts http://auth-service:3001, a name that only resolves on the compose network.
    expect(granted.body).toMatchObject({ claims: { iss: 'http://auth-service:3001', role: 'write' } })

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
    const response = await fetch(`${stack.authUrl}/.well-known/jwks.json`)
    expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/)
    const { keys } = await response.json() as { keys: Array<Record<string, unknown>> }
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      for (const member of Object.keys(key)) expect(PUBLIC_JWK_MEMBERS).toContain(member)
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member)
    }
  })

  it('runs both services as the unprivileged node user', async () => {
    expect(await (await stack.container('auth-service')).user()).toBe('node')
    expect(await (await stack.container('consumer-service')).user()).toBe('node')
  })

  it('keeps users, keys and earlier tokens across a restart of the auth container', async () => {
    const token = await login(stack.authUrl, 'Jane', 'pass123')
    const before = await (await fetch(`${stack.authUrl}/.well-known/jwks.json`)).json()

    await (await stack.container('auth-service')).restart()
    await waitUntilReady(stack.authUrl)

    expect(await (await fetch(`${stack.authUrl}/.well-known/jwks.json`)).json()).toEqual(before)
    expect((await call(`${stack.consumerUrl}/api/v1/protected`, token)).status).toBe(200)
    const fresh = await login(stack.authUrl, 'Jane', 'pass123')
    expect((await call(`${stack.consumerUrl}/api/v1/protected`, fresh)).status).toBe(200)
  })

  it('keeps accepting known keys while the auth container is stopped', async () => {
    const token = await login(stack.authUrl, 'John', 'testpass')
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
