import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, login } from '@repo/service-harness/http'
import { samples } from '@repo/service-harness/prometheus'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { createTestTls, type TestTls } from '@repo/service-harness/tls'

/**
 * The issuer over HTTPS with a test CA, and no ALLOW_INSECURE_ISSUERS anywhere: a consumer that
 * trusts the CA through NODE_EXTRA_CA_CERTS (read by Node at start-up, and used by the undici agent
 * the consumer fetches with) verifies its tokens; one that does not never gets a key.
 */
describe('auth-service over HTTPS, the consumer trusting its CA through NODE_EXTRA_CA_CERTS', () => {
  let tls: TestTls
  let issuer: string
  let auth: ServiceProcess
  const started: ServiceProcess[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []

  async function startConsumer (env: Record<string, string>) {
    const dir = await tempDir('tls-consumer-')
    dirs.push(dir)
    const consumer = startService('consumer-service', await freePort(), { ISSUER: issuer, DATA_DIR: dir.path, ...env })
    started.push(consumer)
    return consumer
  }

  beforeAll(async () => {
    tls = await createTestTls(['localhost', '127.0.0.1'])
    const authDir = await tempDir('tls-auth-')
    dirs.push(authDir)
    const authPort = await freePort()
    issuer = `https://127.0.0.1:${authPort}`
    auth = startService('auth-service', authPort, { ISSUER: issuer, DATA_DIR: authDir.path }, { tls })
    started.push(auth)
    await auth.waitUntilReady()
  })

  afterAll(async () => {
    await Promise.all(started.map((service) => service.stop()))
    await Promise.all(dirs.map((dir) => dir.remove()))
    await tls?.remove()
  })

  it('logs in over HTTPS, and the consumer that trusts the CA accepts the token', async () => {
    expect(auth.url).toBe(issuer)
    const consumer = await startConsumer({ NODE_EXTRA_CA_CERTS: tls.caFile })
    await consumer.waitUntilReady()

    const { status, body } = await login(auth.url, 'Jane', 'pass123', tls.requestInit)
    expect(status).toBe(200)
    const response = await call(`${consumer.url}/api/v1/protected`, body.access_token as string)
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ claims: { iss: issuer, aud: 'consumer-service', role: 'write' } })
    // No allowance was needed, so none was logged.
    expect(consumer.output()).not.toContain('ALLOW_INSECURE_ISSUERS')
  })

  it('a consumer that does not trust the CA never becomes ready and answers 503 to a valid token', async () => {
    const consumer = await startConsumer({})
    const token = (await login(auth.url, 'John', 'testpass', tls.requestInit)).body.access_token as string
    // Two failed attempts (the start-up retry is every 2 s), and still no key.
    await expect.poll(async () => {
      const metrics = await (await fetch(`${consumer.url}/metrics`)).text()
      return Number(samples(metrics, 'jwks_fetches_total').find((line) => line.includes('result="error"'))?.split(' ')[1] ?? 0)
    }, { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(2)
    const ready = await fetch(`${consumer.url}/health/ready`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ status: 'unavailable' })

    const refused = await call(`${consumer.url}/api/v1/protected`, token)
    expect(refused.status).toBe(503)
    expect(refused.body).toMatchObject({ code: 'temporarily_unavailable' })
    const failure = consumer.output().split('\n').find((line) => line.includes('JWKS fetch failed'))
    expect(JSON.parse(failure ?? '{}')).toMatchObject({
      issuer,
      // Node 24 appends a hint (--use-system-ca) to OpenSSL's words; the rest is ours and undici's.
      reason: expect.stringMatching(new RegExp(`^GET ${issuer.replaceAll('.', '\\.')}/\\.well-known/openid-configuration failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE fetch failed \\(unable to verify the first certificate[;)]`)),
      msg: 'JWKS fetch failed; no keys known yet, retrying (expected while the issuer starts)'
    })
  })
})
