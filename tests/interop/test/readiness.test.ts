import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { call, tokenFor } from '@repo/service-harness/http'
import { freePort } from '@repo/service-harness/free-port'
import { type ServiceProcess } from '@repo/service-harness/service-process'
import { startOidcIssuer, type OidcIssuer } from '../src/oidc-issuer.js'
import { Resources } from '../src/resources.js'
import { startAuthService, startConsumer, tail } from '../src/services.js'

const readyStatus = async (url: string) => {
  try {
    return (await fetch(`${url}/health/ready`)).status
  } catch {
    return undefined // not listening yet
  }
}

/**
 * `/health/ready` is 200 only once every trusted issuer has keys: a consumer trusting our
 * auth-service and an oidc-provider that is not up yet stays unready, whatever it knows of the
 * first, until the second starts on the port it was told about.
 */
describe('readiness of a consumer trusting an issuer that starts after it', () => {
  const resources = new Resources()
  let auth: { service: ServiceProcess, issuer: string }
  let oidcPort: number
  let consumer: ServiceProcess

  beforeAll(async () => {
    auth = await startAuthService(resources)
    oidcPort = await freePort()
    consumer = await startConsumer(resources, [auth.issuer, `http://127.0.0.1:${oidcPort}`])
  })
  afterAll(async () => { await resources.release() })

  it('is 503 while oidc-provider is down, even once tokens of our auth-service verify', async () => {
    await vi.waitUntil(async () => (await readyStatus(consumer.url)) === 503, { timeout: 15_000, interval: 50 })

    // Our auth-service's keys are known now: the consumer verified one of its tokens with them.
    const jane = await tokenFor(auth.service.url, 'Jane', 'pass123')
    expect((await call(`${consumer.url}/api/v1/protected`, jane)).status, tail(consumer)).toBe(200)
    expect(await readyStatus(consumer.url)).toBe(503)
  })

  it('turns 200 once oidc-provider listens on that port, and accepts its tokens', async () => {
    const oidc: OidcIssuer = resources.add(await startOidcIssuer({ alg: 'ES256', port: oidcPort }), (issuer) => issuer.close())
    expect(oidc.issuer).toBe(`http://127.0.0.1:${oidcPort}`)

    await vi.waitUntil(async () => (await readyStatus(consumer.url)) === 200, { timeout: 15_000, interval: 100 })
    const response = await call(`${consumer.url}/api/v1/protected`, await oidc.token())
    expect(response.status, tail(consumer)).toBe(200)
    expect(response.body?.claims).toMatchObject({ iss: oidc.issuer })
  })
})
