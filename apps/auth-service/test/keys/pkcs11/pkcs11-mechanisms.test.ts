import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPkcs11Signer, Pkcs11TokenError, type TokenSigner } from '../../../src/keys/pkcs11/index.js'
import { LABEL, PIN, SOFTHSM_MODULE, softHsmToken } from './softhsm-token.js'

// A token without Ed25519, as many HSMs still are: SoftHSM configured to leave out its mechanisms.
// SoftHSM 2.6.1 ignores the first name of a "-" list, hence the placeholder (unknown names are ignored).
softHsmToken({ mechanisms: '-CKM_PLACEHOLDER,CKM_EC_EDWARDS_KEY_PAIR_GEN,CKM_EDDSA' })

describe('a token that lacks an algorithm', () => {
  let signer: TokenSigner
  beforeAll(() => { signer = openPkcs11Signer({ modulePath: SOFTHSM_MODULE, token: { tokenLabel: LABEL }, pin: PIN }) })
  afterAll(() => signer.close())

  it('is refused for that algorithm, naming the algorithm and the missing mechanisms', async () => {
    await expect(signer.assertSupports('ES256')).resolves.toBeUndefined()
    const refusal = await signer.assertSupports('EdDSA').catch((error: unknown) => error as Pkcs11TokenError)
    expect(refusal).toBeInstanceOf(Pkcs11TokenError)
    expect(refusal?.code).toBe('PKCS11_MECHANISM_UNSUPPORTED')
    expect(refusal?.message)
      .toBe(`PKCS#11: token "${LABEL}" cannot do EdDSA: it lacks CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA`)
  })

  it('generates no key of it', async () => {
    const refusal = await signer.generate('ed-kid', 'EdDSA').catch((error: unknown) => error as Pkcs11TokenError)
    expect(refusal).toBeInstanceOf(Pkcs11TokenError)
    expect((refusal as Pkcs11TokenError).code).toBe('PKCS11_MECHANISM_UNSUPPORTED')
    expect(await signer.has('ed-kid')).toBe(false)
  })
})
