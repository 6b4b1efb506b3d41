import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { scanForPrivateKeys } from '@repo/service-harness/private-key-scan'
import { cliKeyCustody } from '../../src/cli/cli-key-custody.js'
import { createKeyLifecycle } from '../../src/keys/create-key-lifecycle.js'
import { KeyStore } from '../../src/keys/key-store.js'
import { openPkcs11Signer } from '../../src/keys/pkcs11/index.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { buildTestApp, captureLogs, testConfig } from '../helper.js'
import { expectNoPin, pinFile, pkcs11Env, refusedStart, verifiedLogin } from './pkcs11-app.js'
import { LABEL, PIN, SOFTHSM_MODULE, softHsmToken } from './pkcs11/softhsm-token.js'

softHsmToken()

const WRONG_PIN = 'wrong-pin-9731'
const rows = async (location: Parameters<typeof openTestDatabase>[0]) =>
  (await openTestDatabase(location)).all('SELECT * FROM signing_keys ORDER BY kid')

// First: once a session of this process is logged in, SoftHSM accepts any PIN until the module is
// finalised, which happens when the last app closes its token session.
describe('a start with SIGNING_KEY_STORE=pkcs11 that cannot use the token stops in one line', () => {
  it('names PKCS11_PIN_FILE for a wrong PIN, quoting no PIN anywhere; writes no key', async () => {
    const location = await freshLocation('sqlite')
    const file = await pinFile(WRONG_PIN)
    const { error, logs } = await refusedStart(await pkcs11Env(location, { PKCS11_PIN_FILE: file }))
    expect(error.message).toBe(`invalid configuration: PKCS11_PIN_FILE (${file}): ` +
      `PKCS#11: the PIN of token "${LABEL}" is incorrect`)
    expectNoPin([String(error.stack), ...logs], [WRONG_PIN])
    expect(await rows(location)).toEqual([])
  })

  it('names PKCS11_MODULE for a module that is not there', async () => {
    const location = await freshLocation('sqlite')
    const { error } = await refusedStart(await pkcs11Env(location, { PKCS11_MODULE: '/nonexistent/libpkcs11.so' }))
    expect(error.message).toMatch(new RegExp('^invalid configuration: PKCS11_MODULE: ' +
      'PKCS#11 module /nonexistent/libpkcs11.so could not be loaded: [^\\n]+$'))
    expect(await rows(location)).toEqual([])
  })

  it('names PKCS11_TOKEN_LABEL for a token that is not there, listing those that are', async () => {
    const location = await freshLocation('sqlite')
    const { error } = await refusedStart(await pkcs11Env(location, { PKCS11_TOKEN_LABEL: 'no-such-token' }))
    expect(error.message).toBe('invalid configuration: PKCS11_TOKEN_LABEL: PKCS#11: no token labelled ' +
      `"no-such-token" (tokens present: "${LABEL}")`)
    expect(await rows(location)).toEqual([])
  })

  it('names the kid and the token when the token lacks a key a row names; rewrites nothing', async () => {
    const location = await freshLocation('sqlite')
    const env = await pkcs11Env(location, { SIGNING_ALG: 'ES256' })
    const app = await buildTestApp(env)
    const kid = (await verifiedLogin(app)).protectedHeader.kid as string
    await app.close()
    const signer = openPkcs11Signer({ modulePath: SOFTHSM_MODULE, token: { tokenLabel: LABEL }, pin: PIN })
    await signer.destroy(kid)
    await signer.close()
    const before = await rows(location)
    const { error, logs } = await refusedStart(env)
    expect(error.message).toBe(`invalid configuration: PKCS11_TOKEN_LABEL: the PKCS#11 token "${LABEL}" has no ` +
      `key ${kid}, which the database names (another token, or one initialised again?)`)
    expect(await rows(location)).toEqual(before)
    expectNoPin([String(error.stack), ...logs])
  })
})

describe.each(ENGINES)('SIGNING_KEY_STORE=pkcs11 on %s', (engine: Engine) => {
  it.each<SigningAlgorithm>(['RS256', 'ES256', 'EdDSA'])('issues %s tokens the token signs, verifying against ' +
    'the JWKS; the database holds no private key', async (alg) => {
    const location = await freshLocation(engine)
    const logs = captureLogs()
    const app = await buildTestApp(await pkcs11Env(location, { SIGNING_ALG: alg }), { logger: logs.logger })
    const { protectedHeader } = await verifiedLogin(app)
    expect(protectedHeader).toMatchObject({ alg, typ: 'at+jwt' })
    const kid = protectedHeader.kid as string
    const db = await openTestDatabase(location)
    expect((await new KeyStore(db).all()).map((key) => [key.kid, key.privateKey])).toEqual([[kid, `pkcs11:${kid}`]])
    expect(await scanForPrivateKeys(db)).toEqual([])
    // Nothing private is stored: no key-encryption key either, not even on SQLite.
    if (engine === 'sqlite') expect(existsSync(join(location.dataDir, 'key-encryption-key'))).toBe(false)
    expectNoPin(logs.lines)
  })

  it('rotates and revokes through the keys CLI\'s custody: a revoked key is destroyed in the token', async () => {
    const location = await freshLocation(engine)
    const env = await pkcs11Env(location, { SIGNING_ALG: 'ES256' })
    const app = await buildTestApp(env)
    const kid = (await verifiedLogin(app)).protectedHeader.kid as string
    const custody = await cliKeyCustody(testConfig(env))
    try {
      const policy = {
        alg: 'ES256' as const,
        rotationIntervalMs: 86_400_000,
        prepublishMs: 3_600_000,
        retireAfterMs: 60_000
      }
      const { lifecycle } = createKeyLifecycle(await openTestDatabase(location), policy, custody)
      const { next } = await lifecycle.rotate(Date.now())
      expect(await custody.held()).toEqual(expect.arrayContaining([kid, next.kid]))
      await lifecycle.revoke(kid, Date.now())
      expect(await custody.held()).not.toContain(kid)
      // The running service picks the successor up and signs with it.
      await app.keyRing.refresh()
      expect((await verifiedLogin(app)).protectedHeader.kid).toBe(next.kid)
      expect(await scanForPrivateKeys(await openTestDatabase(location))).toEqual([])
    } finally {
      await custody.close()
    }
  })
})
