import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { openAuthDatabase } from '../../src/db/open-auth-database.js'
import { createKeyLifecycle } from '../../src/keys/create-key-lifecycle.js'
import { buildTestApp, login, tempDataDir } from '../helper.js'

async function publishedKids (app: Awaited<ReturnType<typeof buildTestApp>>): Promise<string[]> {
  return (await app.inject('/.well-known/jwks.json')).json().keys.map((key: { kid: string }) => key.kid)
}

describe('key changes made by another process', () => {
  it('reach the running service without a restart', async () => {
    const dataDir = await tempDataDir()
    const app = await buildTestApp({ DATA_DIR: dataDir, KEY_STATE_POLL: '50ms' })
    const [original] = await publishedKids(app)

    // What `keys:rotate` and `keys:revoke` do, from a second connection to the same database.
    const db = openAuthDatabase(dataDir)
    const { lifecycle: cli } = createKeyLifecycle(db, { alg: 'RS256', rotationIntervalMs: 86_400_000, prepublishMs: 0, retireAfterMs: 60_000 })
    const { next } = await cli.rotate(Date.now())
    await expect.poll(() => publishedKids(app), { timeout: 2000 }).toEqual([original, next.kid])

    await cli.revoke(original as string, Date.now())
    db.close()
    await expect.poll(() => publishedKids(app), { timeout: 2000 }).toEqual([next.kid])
    const token = (await login(app, 'Jane', 'pass123')).json().access_token as string
    expect(decodeProtectedHeader(token).kid).toBe(next.kid)
  })

  it('answers a matching If-None-Match with 200 again once the key set changed', async () => {
    const dataDir = await tempDataDir()
    const app = await buildTestApp({ DATA_DIR: dataDir, KEY_STATE_POLL: '50ms' })
    const { etag } = (await app.inject('/.well-known/jwks.json')).headers
    const db = openAuthDatabase(dataDir)
    await createKeyLifecycle(db, { alg: 'RS256', rotationIntervalMs: 86_400_000, prepublishMs: 0, retireAfterMs: 0 }).lifecycle.rotate(Date.now())
    db.close()
    await expect.poll(async () => (await app.inject({ url: '/.well-known/jwks.json', headers: { 'if-none-match': etag as string } })).statusCode, { timeout: 2000 }).toBe(200)
  })
})
