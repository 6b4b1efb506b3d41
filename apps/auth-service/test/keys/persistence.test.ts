import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { ENGINES, databaseEnv, freshLocation, type Engine } from '../databases.js'
import { AUDIENCE, ISSUER, buildTestApp, login, tempDataDir, testConfig } from '../helper.js'

describe.each(ENGINES)('signing key persistence on %s', (engine: Engine) => {
  it('keeps the same kid across a restart, so earlier tokens stay valid', async () => {
    const env = databaseEnv(await freshLocation(engine))
    const first = await buildApp(testConfig({ DATA_DIR: await tempDataDir(), ...env }), { logger: false })
    const token = (await login(first, 'Jane', 'pass123')).json().access_token as string
    const before = (await first.inject('/.well-known/jwks.json')).json()
    await first.close()

    const second = await buildTestApp(env)
    const after = (await second.inject('/.well-known/jwks.json')).json()
    expect(after).toEqual(before)
    await expect(jwtVerify(token, createLocalJWKSet(after), { issuer: ISSUER, audience: AUDIENCE })).resolves.toBeDefined()
  })

  it('creates one key when several processes start on a new database at once', async () => {
    const env = databaseEnv(await freshLocation(engine))
    const apps = await Promise.all([1, 2, 3].map(() => buildTestApp(env)))
    const documents = await Promise.all(apps.map(async (app) => (await app.inject('/.well-known/jwks.json')).json()))
    expect(documents[0].keys).toHaveLength(1)
    expect(documents[1]).toEqual(documents[0])
    expect(documents[2]).toEqual(documents[0])
  })
})

describe('signing key persistence on SQLite', () => {
  it('keeps the database holding private keys readable by its owner only', async () => {
    const dataDir = await tempDataDir()
    await buildTestApp({ DATA_DIR: dataDir })
    expect((await stat(join(dataDir, 'auth.db'))).mode & 0o777).toBe(0o600)
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
  })
})
