import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, tokenFor } from '@repo/service-harness/http'
import {
  TLS_OVERLAY, requireDockerEngine, upComposeStack, type ComposeStack
} from '@repo/service-harness/compose-stack'

const dockerReachable = await requireDockerEngine('PostgreSQL compose tests')

// HTTPS too: the replicas share one certificate (its names) and the consumer reaches them all over TLS.
const FILES = ['docker-compose.yml', 'docker-compose.postgres.yml', TLS_OVERLAY]
const REPLICAS = 2

describe.skipIf(!dockerReachable)('docker compose with docker-compose.postgres.yml: auth-service replicas on PostgreSQL', () => {
  let stack: ComposeStack

  beforeAll(async () => {
    try {
      stack = await upComposeStack({ files: FILES, authReplicas: REPLICAS })
    } catch (error) {
      await stack?.down().catch(() => {})
      throw error
    }
  })

  afterAll(async () => {
    await stack?.down()
  })

  const jwksOf = async (authUrl: string) => {
    const response = await fetch(`${authUrl}/.well-known/jwks.json`, stack.authInit)
    return { status: response.status, etag: response.headers.get('etag'), body: await response.text() }
  }

  it('runs PostgreSQL from POSTGRES_IMAGE and two auth-service replicas on it', async () => {
    const [postgres] = await stack.containers('postgres')
    expect(await postgres?.image()).toBe(process.env.POSTGRES_IMAGE ?? 'postgres:17')
    const replicas = await stack.containers('auth-service')
    expect(replicas).toHaveLength(REPLICAS)
    for (const replica of replicas) {
      expect(await replica.env()).toContain('DATABASE_URL=postgres://jwks:jwks-demo-password@postgres:5432/jwks')
      expect(await replica.env()).toContain('KEY_ENCRYPTION_KEYS_FILE=/app/kek/key-encryption-keys')
      expect(await replica.logs()).toContain('"database":"postgres://jwks@postgres:5432/jwks"')
    }
  })

  it('seals the signing keys with the secret the secrets service made once, shared by every replica', async () => {
    const [postgres] = await stack.containers('postgres')
    const sql = "SELECT count(*) FILTER (WHERE private_key LIKE 'kek1.%') || ' ' || count(*) FROM signing_keys"
    expect((await postgres?.exec(['psql', '-U', 'jwks', '-d', 'jwks', '-tAc', sql]))?.trim()).toBe('1 1')
    const secrets = await Promise.all((await stack.containers('auth-service'))
      .map((replica) => replica.exec(['cat', '/app/kek/key-encryption-keys'])))
    expect(secrets[0]).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
    expect(new Set(secrets).size).toBe(1)
  })

  it('registers the browser app once, in the shared database, with the redirect URI of its published port', async () => {
    const [postgres] = await stack.containers('postgres')
    const sql = "SELECT auth_method || ' ' || redirect_uris FROM clients WHERE client_id = 'web-app'"
    expect((await postgres?.exec(['psql', '-U', 'jwks', '-d', 'jwks', '-tAc', sql]))?.trim())
      .toBe(`none ["${stack.webUrl}/callback"]`)
  })

  it('serves byte-identical JWKS with the same ETag on every replica', async () => {
    const documents = await Promise.all(stack.authUrls.map(jwksOf))
    expect(documents[0]).toMatchObject({ status: 200, etag: expect.stringMatching(/^"/) })
    expect(JSON.parse(documents[0]?.body ?? '{}').keys).toHaveLength(1)
    for (const document of documents.slice(1)) expect(document).toEqual(documents[0])
  })

  it('logs in on every replica, and the consumer accepts each one\'s tokens over TLS', async () => {
    for (const authUrl of stack.authUrls) {
      const token = await tokenFor(authUrl, 'Jane', 'pass123', stack.authInit)
      const granted = await call(`${stack.consumerUrl}/api/v1/protected`, token)
      expect(granted.status).toBe(200)
      expect(granted.body).toMatchObject({ claims: { iss: 'https://auth.localhost:3001', role: 'write' } })
    }
  })

  it('shares users: one added through one replica\'s CLI logs in on every replica', async () => {
    const [first] = await stack.containers('auth-service')
    await first?.exec(['sh', '-c', "printf '%s\\n' 'replica-pass-1' | node dist/cli/users.js add replica-user read"])
    for (const authUrl of stack.authUrls) {
      expect(await tokenFor(authUrl, 'replica-user', 'replica-pass-1', stack.authInit)).toMatch(/^eyJ/)
    }
  })

  it('keeps the consumer on https only, with its reports in PostgreSQL too', async () => {
    const consumer = await stack.container('consumer-service')
    const env = await consumer.env()
    expect(env.filter((line) => line.startsWith('ALLOW_INSECURE_ISSUERS='))).toEqual([])
    expect(env).toContain('DATABASE_URL=postgres://jwks:jwks-demo-password@postgres:5432/jwks')
    const token = await tokenFor(stack.authUrl, 'Jane', 'pass123', stack.authInit)
    const created = await call(`${stack.consumerUrl}/api/v1/reports`, token, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'in postgres' })
    })
    expect(created.status).toBe(201)
    expect(await consumer.logs()).not.toContain('insecure')
  })
})
