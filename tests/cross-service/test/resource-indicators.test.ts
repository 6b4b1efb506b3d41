import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { runAuthCli, startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { startPair, type Pair } from '../src/pair.js'
import { clientSecretIn } from '@repo/service-harness/client-secret'

const INSECURE = { [oauth.allowInsecureRequests]: true }
/** Two APIs that trust the same issuer, each with its own audience: the resource identifier a client names. */
const REPORTS = 'https://reports.example/api'
const BILLING = 'https://billing.example/api'

/**
 * RFC 8707 end to end, with the built services as processes and oauth4webapi as the client: a token
 * asked for one resource carries it as `aud`, so the consumer whose audience it is takes it and a
 * consumer of the same issuer with another audience refuses it (the replay RFC 8707 exists to stop).
 */
describe('resource indicators: a token for one API is refused by another that trusts the same issuer', () => {
  let pair: Pair
  let billing: ServiceProcess
  let billingDir: Awaited<ReturnType<typeof tempDir>>
  let as: oauth.AuthorizationServer
  let secret: string
  const client = { client_id: 'two-api-bot' }

  beforeAll(async () => {
    pair = await startPair({}, { AUDIENCE: REPORTS })
    billingDir = await tempDir('pair-billing-')
    billing = startService('consumer-service', await freePort(),
      { ISSUER: pair.issuer, DATA_DIR: billingDir.path, AUDIENCE: BILLING })
    await billing.waitUntilReady()
    const added = await runAuthCli('clients',
      ['add', 'two-api-bot', '--scope', 'reports:read', '--resource', REPORTS, '--resource', BILLING], pair.authEnv)
    expect(added.code, added.stderr).toBe(0)
    secret = clientSecretIn(added.stdout) ?? ''
    as = await oauth.processDiscoveryResponse(new URL(pair.issuer),
      await oauth.discoveryRequest(new URL(pair.issuer), { algorithm: 'oauth2', ...INSECURE }))
  })

  afterAll(async () => {
    await billing?.stop()
    await billingDir?.remove()
    await pair?.stop()
  })

  const tokenFor = async (resource: string) => (await oauth.processClientCredentialsResponse(as, client,
    await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret),
      new URLSearchParams({ scope: 'reports:read', resource }), INSECURE))).access_token
  const call = (consumer: ServiceProcess, token: string) =>
    fetch(`${consumer.url}/api/v1/reports`, { headers: { authorization: `Bearer ${token}` } })

  it.each([
    ['reports', REPORTS],
    ['billing', BILLING]
  ])('a token asked for the %s API is taken there and refused (401 invalid_token) by the other', async (_name, resource) => {
    const token = await tokenFor(resource)
    const [mine, other] = resource === REPORTS ? [pair.consumer, billing] : [billing, pair.consumer]
    expect((await call(mine, token)).status).toBe(200)
    const refused = await call(other, token)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token", /)
  })

  it('a resource the client is not registered for: invalid_target from the issuer, as oauth4webapi reads it', async () => {
    await expect(tokenFor('https://elsewhere.example/api')).rejects.toMatchObject({
      error: 'invalid_target', status: 400
    })
  })

  it('the CLI refuses a relative resource or one with a fragment, and registers nothing', async () => {
    for (const [resource, message] of [
      ['/api', '--resource must be an absolute URI'],
      [`${REPORTS}#part`, '--resource must not have a fragment (#)']
    ] as const) {
      const added = await runAuthCli('clients', ['add', 'bad-bot', '--resource', resource], pair.authEnv)
      expect(added.code).not.toBe(0)
      expect(added.stderr).toContain(message)
    }
    const listed = await runAuthCli('clients', ['list', '--json'], pair.authEnv)
    expect(JSON.parse(listed.stdout).map((entry: { clientId: string }) => entry.clientId)).toEqual(['two-api-bot'])
  })
})
