import { describe, expect, it } from 'vitest'
import { freshLocation, openTestDatabase } from '../databases.js'
import { buildTestApp } from '../helper.js'
import { expectNoPin, pkcs11Env, refusedStart, verifiedLogin } from './pkcs11-app.js'
import { LABEL, softHsmToken } from './pkcs11/softhsm-token.js'

// A token without Ed25519, as many HSMs still are (the first name of a "-" list is ignored by SoftHSM 2.6.1).
softHsmToken({ mechanisms: '-CKM_PLACEHOLDER,CKM_EC_EDWARDS_KEY_PAIR_GEN,CKM_EDDSA' })

describe('SIGNING_KEY_STORE=pkcs11 on a token that lacks EdDSA', () => {
  it('refuses SIGNING_ALG=EdDSA at start-up in one line, writing no key', async () => {
    const location = await freshLocation('sqlite')
    const { error, logs } = await refusedStart(await pkcs11Env(location, { SIGNING_ALG: 'EdDSA' }))
    expect(error.message).toBe(`invalid configuration: SIGNING_ALG=EdDSA: PKCS#11: token "${LABEL}" cannot do ` +
      'EdDSA: it lacks CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA')
    expect(await (await openTestDatabase(location)).all('SELECT kid FROM signing_keys')).toEqual([])
    expectNoPin([String(error.stack), ...logs])
  })

  it('signs with an algorithm it has', async () => {
    const app = await buildTestApp(await pkcs11Env(await freshLocation('sqlite'), { SIGNING_ALG: 'ES256' }))
    expect((await verifiedLogin(app)).protectedHeader.alg).toBe('ES256')
  })
})
