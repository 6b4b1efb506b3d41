import { readFile, rm } from 'node:fs/promises'
import { createLocalJWKSet, importPKCS8, jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import type { DatabaseLocation } from '@repo/service-kit/sql'
import { openSqlDatabase } from '@repo/service-kit/sql'
import { scanForPrivateKeys } from '@repo/service-harness/private-key-scan'
import { resealKeys } from '../../src/cli/keys-reseal.js'
import { createKeyLifecycle } from '../../src/keys/create-key-lifecycle.js'
import { DATABASE_FILE } from '../../src/db/open-auth-database.js'
import { AUTH_MIGRATIONS } from '../../src/db/schema.js'
import { generateSigningKey } from '../../src/keys/generate-signing-key.js'
import { KeyStore, type StoredKey } from '../../src/keys/key-store.js'
import { sealedKeyCustody } from '../../src/keys/sealed-key-custody.js'
import { generateKeyEncryptionKey, isSealed, kekIdOf, parseKeyEncryptionKeys } from '../../src/keys/sealing/index.js'
import { ENGINES, databaseEnv, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { AUDIENCE, ISSUER, buildTestApp, captureLogs, login } from '../helper.js'
import { TEST_KEK, testCustody } from '../test-custody.js'

// A rotation's next key waits an hour: the first key keeps signing through the test.
const POLICY = {
  alg: 'RS256' as const, rotationIntervalMs: 86_400_000, prepublishMs: 3_600_000, retireAfterMs: 60_000
}
const kekId = (secret: string) => kekIdOf(Buffer.from(secret, 'base64url'))
type App = Awaited<ReturnType<typeof buildTestApp>>

const jwksOf = async (app: App) =>
  (await app.inject('/.well-known/jwks.json')).json() as { keys: Array<{ kid: string }> }
const verify = async (app: App, token: string) =>
  jwtVerify(token, createLocalJWKSet(await jwksOf(app)), { issuer: ISSUER, audience: AUDIENCE })
const kidsOf = async (app: App) => (await jwksOf(app)).keys.map((key) => key.kid)

async function signingKid (app: App): Promise<string> {
  const token = (await login(app, 'Jane', 'pass123')).json().access_token as string
  const { protectedHeader } = await verify(app, token)
  return protectedHeader.kid as string
}

/** Starts an app on `location` with `secrets` as KEY_ENCRYPTION_KEYS, its log lines collected. */
async function start (location: DatabaseLocation, secrets: string) {
  const logs = captureLogs()
  const app = await buildTestApp({ ...databaseEnv(location), KEY_ENCRYPTION_KEYS: secrets }, { logger: logs.logger })
  return { app, logs: logs.lines }
}

/** The refusal a start with `secrets` ends in (the app is not built), and the log lines it wrote. */
async function refusedStart (location: DatabaseLocation, secrets: string) {
  const logs = captureLogs()
  const error = await buildTestApp({ ...databaseEnv(location), KEY_ENCRYPTION_KEYS: secrets }, { logger: logs.logger })
    .then(() => { throw new Error('expected the start to be refused') }, (error: unknown) => error as Error)
  return { error, logs: logs.lines }
}

/** The two keys a test made, oldest first. */
function pair (keys: StoredKey[]): [StoredKey, StoredKey] {
  const [a, b] = keys
  if (!a || !b || keys.length !== 2) throw new Error(`expected two keys, got ${keys.length}`)
  return [a, b]
}

/** The key rows as stored, for checking that a refused start rewrote nothing. */
const rows = async (location: DatabaseLocation) =>
  (await openTestDatabase(location)).all('SELECT * FROM signing_keys ORDER BY kid')

/** The migrations before `private_pkcs8` became `private_key`: the schema the previous release left. */
const beforeSealing = (migrations: readonly string[]) =>
  migrations.slice(0, migrations.findIndex((sql) => sql.includes('RENAME COLUMN private_pkcs8')))

/** A database as the previous release left it: its schema, and private keys in the clear (PKCS#8 PEM). */
async function previousReleaseDatabase (location: DatabaseLocation) {
  const old = await openSqlDatabase(location, DATABASE_FILE, {
    component: AUTH_MIGRATIONS.component,
    sqlite: beforeSealing(AUTH_MIGRATIONS.sqlite),
    postgres: beforeSealing(AUTH_MIGRATIONS.postgres)
  })
  const now = Date.now()
  const [active, next] = [await generateSigningKey('RS256'), await generateSigningKey('RS256')]
  const insert = `INSERT INTO signing_keys (kid, alg, state, public_jwk, private_pkcs8, created_at, activated_at,
    activates_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
  await old.run(insert, [active.kid, 'RS256', 'active', JSON.stringify(active.publicJwk), active.privatePkcs8,
    now - 3_600_000, now - 3_600_000, null])
  await old.run(insert, [next.kid, 'RS256', 'next', JSON.stringify(next.publicJwk), next.privatePkcs8,
    now, null, now + 86_400_000])
  // A token the previous release signed: it must still verify once the key is sealed.
  const token = await new SignJWT({ sub: 'u1', client_id: 'demo-client' })
    .setProtectedHeader({ alg: 'RS256', kid: active.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m')
    .sign(await importPKCS8(active.privatePkcs8, 'RS256'))
  expect(await scanForPrivateKeys(old)).toEqual([
    { table: 'signing_keys', column: 'private_pkcs8', pattern: 'PEM' },
    { table: 'signing_keys', column: 'private_pkcs8', pattern: 'RSA PKCS#8 (MIIE…IBADAN)' },
    { table: 'signing_keys', column: 'private_pkcs8', pattern: 'PEM' },
    { table: 'signing_keys', column: 'private_pkcs8', pattern: 'RSA PKCS#8 (MIIE…IBADAN)' }
  ])
  await old.close()
  return { active: active.kid, next: next.kid, token }
}

describe.each(ENGINES)('sealed signing keys on %s', (engine: Engine) => {
  it('stores every private key sealed for its own kid: no table holds private-key material', async () => {
    const location = await freshLocation(engine)
    const { app } = await start(location, TEST_KEK)
    const db = await openTestDatabase(location)
    await createKeyLifecycle(db, POLICY, testCustody).lifecycle.rotate(Date.now())
    const stored = await new KeyStore(db).all()
    expect(stored).toHaveLength(2)
    for (const key of stored) {
      expect(isSealed(key.privateKey as string)).toBe(true)
      expect((await testCustody.open(key.kid, key.alg, key.privateKey as string)).kid).toBe(key.kid)
    }
    // A value copied to the other row does not open there.
    const [a, b] = pair(stored)
    await expect(testCustody.open(b.kid, b.alg, a.privateKey as string))
      .rejects.toMatchObject({ code: 'KEY_SEAL_INVALID' })
    expect(await scanForPrivateKeys(db)).toEqual([])
    expect(await signingKid(app)).toBe(a.kid)
  })

  it('refuses secrets that open none of the keys, naming kid, kek id and variable; rewrites nothing', async () => {
    const location = await freshLocation(engine)
    const { app } = await start(location, TEST_KEK)
    const [kid] = await kidsOf(app)
    await app.close()
    const before = await rows(location)
    const other = generateKeyEncryptionKey()
    const { error, logs } = await refusedStart(location, other)
    expect(error).toMatchObject({ code: 'CONFIG_ERROR' })
    expect(error.message).toBe('invalid configuration: KEY_ENCRYPTION_KEYS cannot open a stored signing key: ' +
      `the private key of kid ${kid} was sealed with key-encryption key ${kekId(TEST_KEK)}, which is not listed`)
    expect(await rows(location)).toEqual(before)
    for (const text of [error.message, ...logs]) {
      expect(text).not.toContain(other)
      expect(text).not.toContain(TEST_KEK)
    }
  })

  it('checks every key before sealing any: a clear key stays as it was when another does not open', async () => {
    const location = await freshLocation(engine)
    const { app } = await start(location, TEST_KEK)
    const [sealedKid] = await kidsOf(app)
    await app.close()
    // A clear key older than the sealed one: the first the start-up comes to, and due for sealing.
    const clear = await generateSigningKey('RS256')
    await (await openTestDatabase(location)).run(`INSERT INTO signing_keys (kid, alg, state, public_jwk, private_key,
      created_at, activates_at) VALUES ($1, 'RS256', 'next', $2, $3, 0, 0)`,
    [clear.kid, JSON.stringify(clear.publicJwk), clear.privatePkcs8])
    const before = await rows(location)
    const other = generateKeyEncryptionKey()
    const { error } = await refusedStart(location, other)
    expect(error.message).toContain(`kid ${sealedKid} was sealed with key-encryption key ${kekId(TEST_KEK)}`)
    expect(await rows(location)).toEqual(before)
  })

  it('refuses a sealed key moved to another kid\'s row, naming that kid', async () => {
    const location = await freshLocation(engine)
    const { app } = await start(location, TEST_KEK)
    await app.close()
    const db = await openTestDatabase(location)
    await createKeyLifecycle(db, POLICY, testCustody).lifecycle.rotate(Date.now())
    const [a, b] = pair(await new KeyStore(db).all())
    await db.run('UPDATE signing_keys SET private_key = $1 WHERE kid = $2', [a.privateKey, b.kid])
    const before = await rows(location)
    const { error } = await refusedStart(location, TEST_KEK)
    expect(error.message).toBe('invalid configuration: KEY_ENCRYPTION_KEYS cannot open a stored signing key: ' +
      `the sealed private key of kid ${b.kid} does not open with key-encryption key ${kekId(TEST_KEK)}: ` +
      'it was changed, or copied from another key\'s row')
    expect(await rows(location)).toEqual(before)
  })

  it('seals the clear keys of a database the previous release made, keeping their kids and tokens', async () => {
    const location = await freshLocation(engine)
    const { active, next, token } = await previousReleaseDatabase(location)
    const { app, logs } = await start(location, TEST_KEK)
    const sealedLines = logs.map((line) => JSON.parse(line) as { event?: string, count?: number, msg: string })
      .filter((line) => line.event === 'signing_keys_sealed')
    const msg = `sealed 2 signing key(s) stored in the clear with key-encryption key ${kekId(TEST_KEK)}`
    expect(sealedLines).toMatchObject([{ count: 2, msg }])
    expect(await kidsOf(app)).toEqual([active, next])
    expect(await signingKid(app)).toBe(active)
    expect((await verify(app, token)).protectedHeader.kid).toBe(active)
    const db = await openTestDatabase(location)
    expect(await scanForPrivateKeys(db)).toEqual([])
    expect((await new KeyStore(db).all()).map((key) => isSealed(key.privateKey as string))).toEqual([true, true])
    expect(logs.join('\n')).not.toContain(TEST_KEK)
  })

  it('signs with the same kids after `keys reseal` and the old secret dropped (refused before)', async () => {
    const location = await freshLocation(engine)
    const [oldSecret, newSecret] = [generateKeyEncryptionKey(), generateKeyEncryptionKey()]
    const first = await start(location, oldSecret)
    const kids = await kidsOf(first.app)
    await first.app.close()
    expect((await refusedStart(location, newSecret)).error.message)
      .toContain(`kid ${kids[0]} was sealed with key-encryption key ${kekId(oldSecret)}`)

    // New first, old still listed: the service opens both; the reseal moves every key to the new one.
    const both = await start(location, `${newSecret},${oldSecret}`)
    expect(await signingKid(both.app)).toBe(kids[0])
    const store = new KeyStore(await openTestDatabase(location), 'keys-cli:test')
    const custody = sealedKeyCustody(parseKeyEncryptionKeys(`${newSecret},${oldSecret}`))
    expect(await resealKeys(store, custody)).toEqual([
      `resealed 1 signing key(s): every stored private key is sealed with key-encryption key ${kekId(newSecret)}`,
      'Older secrets can be dropped from KEY_ENCRYPTION_KEYS once every replica runs with this list.'
    ])
    expect((await resealKeys(store, custody))[0]).toMatch(/^resealed 0 signing key\(s\)/)
    await both.app.close()

    const after = await start(location, newSecret)
    expect(await kidsOf(after.app)).toEqual(kids)
    expect(await signingKid(after.app)).toBe(kids[0])
    expect([...both.logs, ...after.logs].join('\n')).not.toMatch(new RegExp(`${oldSecret}|${newSecret}`))
  })
})

describe('sealed signing keys on SQLite without KEY_ENCRYPTION_KEYS', () => {
  it('generates a secret into DATA_DIR at first start, says so once, refuses a database it cannot open', async () => {
    const location = await freshLocation('sqlite')
    const path = `${location.dataDir}/key-encryption-key`
    const generated = (lines: string[]) => lines.map((line) => JSON.parse(line) as { event?: string, msg: string })
      .filter((line) => line.event === 'key_encryption_key_generated').map((line) => line.msg)
    const startPlain = async () => {
      const logs = captureLogs()
      return { app: await buildTestApp({ DATA_DIR: location.dataDir }, { logger: logs.logger }), logs: logs.lines }
    }
    const first = await startPlain()
    expect(generated(first.logs)).toEqual([`generated a key-encryption key at ${path}: back it up with the database ` +
      '(without it the signing keys do not open), or set KEY_ENCRYPTION_KEYS'])
    const [kid] = await kidsOf(first.app)
    await first.app.close()
    const secret = (await readFile(path, 'utf8')).trim()
    expect(first.logs.join('\n')).not.toContain(secret)
    expect(await scanForPrivateKeys(await openTestDatabase(location))).toEqual([])

    const second = await startPlain()
    expect(generated(second.logs)).toEqual([])
    expect(await signingKid(second.app)).toBe(kid)
    await second.app.close()

    // The file lost (not restored from the backup): a new secret is made, and opens nothing.
    await rm(path)
    const error = await startPlain().then(() => undefined, (error: unknown) => error as Error)
    const newId = kekId((await readFile(path, 'utf8')).trim())
    expect(newId).not.toBe(kekId(secret))
    expect(error?.message).toBe(`invalid configuration: KEY_ENCRYPTION_KEYS (unset: the generated file ${path}) ` +
      `cannot open a stored signing key: the private key of kid ${kid} was sealed with key-encryption key ` +
      `${kekId(secret)}, which is not listed`)
  })
})
