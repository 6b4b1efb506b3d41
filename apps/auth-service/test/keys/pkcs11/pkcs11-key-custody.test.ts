import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, type JWK } from 'jose'
import pkcs11 from 'pkcs11js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { createKeyLifecycle } from '../../../src/keys/create-key-lifecycle.js'
import type { KeyCustody } from '../../../src/keys/key-custody.js'
import { KeyStore } from '../../../src/keys/key-store.js'
import { pkcs11KeyCustody } from '../../../src/keys/pkcs11-key-custody.js'
import { openPkcs11Signer, type TokenSigner } from '../../../src/keys/pkcs11/index.js'
import { freshLocation, openTestDatabase } from '../../databases.js'
import { testCustody } from '../../test-custody.js'
import { LABEL, PIN, SOFTHSM_MODULE, softHsmToken, withRawSession } from './softhsm-token.js'

softHsmToken()

// A rotation's next key waits an hour: the first key keeps signing through each test.
const policy = (alg: SigningAlgorithm) => ({
  alg,
  rotationIntervalMs: 86_400_000,
  prepublishMs: 3_600_000,
  retireAfterMs: 60_000
})
const OPTIONS = { tokenLabel: LABEL, source: 'PKCS11_TOKEN_LABEL' }

let signer: TokenSigner
let custody: KeyCustody
beforeAll(() => {
  signer = openPkcs11Signer({ modulePath: SOFTHSM_MODULE, token: { tokenLabel: LABEL }, pin: PIN })
  custody = pkcs11KeyCustody(signer, OPTIONS)
})
afterAll(() => signer.close())

/** The label of the private key the token holds under CKA_ID `kid`, read as an attacker with the PIN could. */
const tokenLabelOf = (kid: string) => withRawSession((find, read) =>
  find(kid, pkcs11.CKO_PRIVATE_KEY).map((handle) => read(handle, pkcs11.CKA_LABEL).toString()))

describe.each<SigningAlgorithm>(['RS256', 'ES256', 'EdDSA'])('%s keys held by a PKCS#11 token', (alg) => {
  it('are named by the RFC 7638 thumbprint, in the token as in the row, which stores only a reference', async () => {
    const key = await custody.generate(alg)
    const { kid: _kid, alg: _alg, use: _use, ...publicKey } = key.publicJwk
    expect(key.kid).toBe(await calculateJwkThumbprint(publicKey as JWK, 'sha256'))
    expect(key.publicJwk).toMatchObject({ kid: key.kid, alg, use: 'sig' })
    expect(key.privateKey).toBe(`pkcs11:${key.kid}`)
    expect(tokenLabelOf(key.kid)).toEqual([key.kid])
    // The temporary name it was generated under is gone.
    expect((await custody.held()).filter((kid) => !/^[A-Za-z0-9_-]{43}$/.test(kid))).toEqual([])
    await custody.destroy(key.kid)
  })

  it('sign tokens that verify with the published JWK', async () => {
    const key = await custody.generate(alg)
    const signing = await custody.open(key.kid, alg, key.privateKey)
    const jwt = await signing.sign({ alg, kid: key.kid, typ: 'at+jwt' }, { sub: 'alice', aud: 'consumer-service' })
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet({ keys: [key.publicJwk as JWK] }),
      { audience: 'consumer-service', typ: 'at+jwt' })
    expect(payload.sub).toBe('alice')
    expect(protectedHeader).toEqual({ alg, kid: key.kid, typ: 'at+jwt' })
    const [header, claims] = jwt.split('.')
    await expect(jwtVerify(`${header}.${claims}.${Buffer.alloc(64).toString('base64url')}`,
      createLocalJWKSet({ keys: [key.publicJwk as JWK] })))
      .rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' })
    await custody.destroy(key.kid)
  })
})

describe('the start-up check', () => {
  it('passes a row whose key the token holds', async () => {
    const key = await custody.generate('ES256')
    await expect(custody.check(key.kid, key.privateKey)).resolves.toBeUndefined()
    await custody.destroy(key.kid)
  })

  it('refuses a row whose key the token lacks, naming the kid and the token', async () => {
    const key = await custody.generate('ES256')
    await custody.destroy(key.kid)
    await expect(custody.check(key.kid, key.privateKey)).rejects.toMatchObject({
      name: 'ConfigError',
      message: `invalid configuration: PKCS11_TOKEN_LABEL: the PKCS#11 token "${LABEL}" has no key ${key.kid}, ` +
        'which the database names (another token, or one initialised again?)'
    })
  })

  it('refuses a row whose private key is stored in the database (sealed)', async () => {
    const sealed = await testCustody.generate('ES256')
    const message = `invalid configuration: SIGNING_KEY_STORE=pkcs11: the signing key ${sealed.kid} is stored in ` +
      `the database, not in the PKCS#11 token "${LABEL}" (it was made with SIGNING_KEY_STORE=database)`
    await expect(custody.check(sealed.kid, sealed.privateKey)).rejects.toMatchObject({ name: 'ConfigError', message })
    await expect(custody.open(sealed.kid, 'ES256', sealed.privateKey)).rejects.toMatchObject({ message })
  })

  it('has nothing to reseal', () => {
    expect(custody.inClear('pkcs11:x')).toBe(false)
    expect(custody.isCurrent('pkcs11:x')).toBe(true)
  })
})

describe('the key lifecycle on a token', () => {
  it('destroys a revoked key in the token once its row is retired, and its successor signs', async () => {
    const db = await openTestDatabase(await freshLocation('sqlite'))
    const { lifecycle, store } = createKeyLifecycle(db, policy('ES256'), custody)
    await lifecycle.ensureActive(Date.now())
    const [first] = await store.inState('active')
    const { next } = await lifecycle.rotate(Date.now())
    expect(await signer.has(first?.kid as string)).toBe(true)
    await lifecycle.revoke(first?.kid as string, Date.now())
    expect(await signer.has(first?.kid as string)).toBe(false)
    expect((await store.find(first?.kid as string))?.state).toBe('retired')
    expect(await signer.has(next.kid)).toBe(true)
    await lifecycle.revoke(next.kid, Date.now())
    expect(await signer.has(next.kid)).toBe(false)
    for (const key of await store.published()) await custody.destroy(key.kid)
  })

  it('destroys a key that retires on schedule', async () => {
    const db = await openTestDatabase(await freshLocation('sqlite'))
    const rules = { ...policy('ES256'), prepublishMs: 0, retireAfterMs: 0 }
    const { lifecycle, store } = createKeyLifecycle(db, rules, custody)
    const t0 = Date.now()
    await lifecycle.ensureActive(t0)
    const [first] = await store.inState('active')
    await lifecycle.rotate(t0)
    // The next key takes over, the first retires at once (no retire-after period), then leaves the token.
    await lifecycle.tick(t0 + 1)
    await lifecycle.tick(t0 + 2)
    expect((await store.find(first?.kid as string))?.state).toBe('retired')
    expect(await signer.has(first?.kid as string)).toBe(false)
    for (const key of await store.published()) await custody.destroy(key.kid)
  })

  it('keeps the transition when a destroy fails, says so (kid and code), and destroys on the next pass', async () => {
    const db = await openTestDatabase(await freshLocation('sqlite'))
    let failing = true
    const flaky: KeyCustody = {
      ...custody,
      destroy: async (kid) => {
        if (failing) throw Object.assign(new Error('token away'), { code: 'PKCS11_FAILED' })
        await custody.destroy(kid)
      }
    }
    const failures: Array<[string, unknown]> = []
    const { lifecycle, store } = createKeyLifecycle(db, policy('ES256'), flaky, {
      destroyFailed: (kid, error) => failures.push([kid, (error as { code: string }).code])
    })
    await lifecycle.ensureActive(Date.now())
    const [first] = await store.inState('active')
    const kid = first?.kid as string
    const events = await lifecycle.revoke(kid, Date.now())
    expect(events.map(({ event }) => event)).toEqual(['key_revoked', 'key_created', 'key_activated'])
    expect((await store.find(kid))?.state).toBe('retired')
    expect(failures).toEqual([[kid, 'PKCS11_FAILED']])
    expect(await signer.has(kid)).toBe(true)
    failing = false
    await lifecycle.tick(Date.now())
    expect(await signer.has(kid)).toBe(false)
    for (const key of await store.published()) await custody.destroy(key.kid)
  })

  it('destroys a key generated for a race another process won: the token keeps only stored keys', async () => {
    const location = await freshLocation('sqlite')
    const [a, b] = [await openTestDatabase(location), await openTestDatabase(location)]
    const before = new Set(await custody.held())
    // Both replicas have seen no active key and generate one before either stores it.
    let generating = 0
    let bothGenerating = () => {}
    const barrier = new Promise<void>((resolve) => { bothGenerating = resolve })
    const racing: KeyCustody = {
      ...custody,
      generate: async (alg) => {
        if (++generating === 2) bothGenerating()
        await barrier
        return custody.generate(alg)
      }
    }
    const replicas = [a, b].map((db) => createKeyLifecycle(db, policy('ES256'), racing).lifecycle)
    await Promise.all(replicas.map((lifecycle) => lifecycle.ensureActive(Date.now())))
    const stored = (await new KeyStore(a).all()).map((key) => key.kid)
    expect(stored).toHaveLength(1)
    expect(generating).toBe(2)
    expect((await custody.held()).filter((kid) => !before.has(kid))).toEqual(stored)
    for (const kid of stored) await custody.destroy(kid)
  })
})
