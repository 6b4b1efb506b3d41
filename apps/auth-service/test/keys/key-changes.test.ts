import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { createKeyLifecycle } from '../../src/keys/create-key-lifecycle.js'
import { ENGINES, databaseEnv, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { buildTestApp, login } from '../helper.js'
import { testCustody } from '../test-custody.js'

async function publishedKids (app: Awaited<ReturnType<typeof buildTestApp>>): Promise<string[]> {
  return (await app.inject('/.well-known/jwks.json')).json().keys.map((key: { kid: string }) => key.kid)
}

const POLICY = { alg: 'RS256' as const, rotationIntervalMs: 86_400_000, prepublishMs: 0, retireAfterMs: 60_000 }

describe.each(ENGINES)('key changes made by another process, on %s', (engine: Engine) => {
  it('reach the running service without a restart', async () => {
    const location = await freshLocation(engine)
    const app = await buildTestApp({ ...databaseEnv(location), KEY_STATE_POLL: '50ms' })
    const [original] = await publishedKids(app)

    // What `keys:rotate` and `keys:revoke` do, from a second connection to the same database.
    const { lifecycle: cli } = createKeyLifecycle(await openTestDatabase(location), POLICY, testCustody)
    const { next } = await cli.rotate(Date.now())
    await expect.poll(() => publishedKids(app), { timeout: 2000 }).toEqual([original, next.kid])

    await cli.revoke(original as string, Date.now())
    await expect.poll(() => publishedKids(app), { timeout: 2000 }).toEqual([next.kid])
    const token = (await login(app, 'Jane', 'pass123')).json().access_token as string
    expect(decodeProtectedHeader(token).kid).toBe(next.kid)
  })

  it('answers a matching If-None-Match with 200 again once the key set changed', async () => {
    const location = await freshLocation(engine)
    const app = await buildTestApp({ ...databaseEnv(location), KEY_STATE_POLL: '50ms' })
    const { etag } = (await app.inject('/.well-known/jwks.json')).headers
    await createKeyLifecycle(await openTestDatabase(location), { ...POLICY, retireAfterMs: 0 }, testCustody).lifecycle.rotate(Date.now())
    await expect.poll(async () => (await app.inject({ url: '/.well-known/jwks.json', headers: { 'if-none-match': etag as string } })).statusCode, { timeout: 2000 }).toBe(200)
  })
})

describe('key changes on PostgreSQL', () => {
  it('reach a running service at once through LISTEN/NOTIFY, long before its next poll', async () => {
    const location = await freshLocation('postgres')
    // A minute between polls: only the database's notification can bring the change within the test's 2 s.
    const app = await buildTestApp({ ...databaseEnv(location), KEY_STATE_POLL: '60s', KEY_PREPUBLISH: '6m', KEY_ROTATION_INTERVAL: '30d' })
    const [original] = await publishedKids(app)
    const { next } = await createKeyLifecycle(await openTestDatabase(location), POLICY, testCustody).lifecycle.rotate(Date.now())
    await expect.poll(() => publishedKids(app), { timeout: 2000 }).toEqual([original, next.kid])
  })
})
