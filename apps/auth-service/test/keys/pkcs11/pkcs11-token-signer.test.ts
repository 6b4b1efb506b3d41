import { createPublicKey, randomUUID, verify } from 'node:crypto'
import pkcs11 from 'pkcs11js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { openPkcs11Signer, Pkcs11TokenError, type TokenSigner } from '../../../src/keys/pkcs11/index.js'
import { LABEL, PIN, SOFTHSM_MODULE, softHsmToken, withRawSession } from './softhsm-token.js'

softHsmToken()

const INPUT = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9')
const open = (pin = PIN) => openPkcs11Signer({ modulePath: SOFTHSM_MODULE, token: { tokenLabel: LABEL }, pin })

/** The error `work` throws, checked to be the signer's and to quote no PIN. */
async function tokenError (work: () => unknown): Promise<Pkcs11TokenError> {
  try {
    await work()
  } catch (error) {
    expect(error).toBeInstanceOf(Pkcs11TokenError)
    for (const pin of [PIN, 'wrong-pin-9731']) expect(String((error as Error).stack)).not.toContain(pin)
    return error as Pkcs11TokenError
  }
  throw new Error('expected a Pkcs11TokenError')
}

/** Checks a JWS signature as a consumer does: with node:crypto and the published JWK. */
function verifies (alg: SigningAlgorithm, jwk: object, signature: Buffer): boolean {
  const key = createPublicKey({ key: jwk as never, format: 'jwk' })
  if (alg === 'ES256') return verify('sha256', INPUT, { key, dsaEncoding: 'ieee-p1363' }, signature)
  return verify(alg === 'RS256' ? 'sha256' : null, INPUT, key, signature)
}

// Runs while no session is logged in: once one is, the token accepts any login of this process.
describe('opening a token', () => {
  it('refuses a wrong PIN with its code, quoting no PIN', async () => {
    const error = await tokenError(() => open('wrong-pin-9731'))
    expect(error.code).toBe('PKCS11_PIN_INCORRECT')
    expect(error.message).toBe(`PKCS#11: the PIN of token "${LABEL}" is incorrect`)
  })

  it('refuses a module that is not there, naming its path', async () => {
    const modulePath = '/nonexistent/libpkcs11.so'
    const error = await tokenError(() => openPkcs11Signer({ modulePath, token: { tokenLabel: LABEL }, pin: PIN }))
    expect(error.code).toBe('PKCS11_MODULE_UNLOADABLE')
    expect(error.message).toMatch(/^PKCS#11 module \/nonexistent\/libpkcs11.so could not be loaded: /)
  })

  it.each([
    [{ tokenLabel: 'no-such-token' }, 'labelled "no-such-token"'],
    [{ slotIndex: 5 }, 'in slot index 5']
  ])('refuses a token that is not there (%o), listing those that are', async (token, wanted) => {
    const error = await tokenError(() => openPkcs11Signer({ modulePath: SOFTHSM_MODULE, token, pin: PIN }))
    expect(error.code).toBe('PKCS11_TOKEN_NOT_FOUND')
    expect(error.message).toBe(`PKCS#11: no token ${wanted} (tokens present: "${LABEL}")`)
  })
})

describe.each<[SigningAlgorithm, number, number]>([
  ['RS256', pkcs11.CKA_PRIVATE_EXPONENT, 256],
  ['ES256', pkcs11.CKA_VALUE, 64],
  ['EdDSA', pkcs11.CKA_VALUE, 64]
])('%s keys in the token', (alg, secretAttribute, signatureLength) => {
  let signer: TokenSigner
  const kid = `kid-${alg}-${randomUUID()}`
  let jwk: object
  beforeAll(async () => {
    signer = open()
    jwk = await signer.generate(kid, alg)
  })
  afterAll(() => signer.close())

  it('sign JWS signatures that verify against the public JWK read back from the token', async () => {
    expect(jwk).toMatchObject({ kid, alg, use: 'sig' })
    expect(await signer.publicJwk(kid, alg)).toEqual(jwk)
    const signature = await signer.sign(kid, alg, INPUT)
    expect(signature).toHaveLength(signatureLength)
    expect(verifies(alg, jwk, signature)).toBe(true)
    expect(verifies(alg, jwk, await signer.sign(kid, alg, Buffer.from('another input')))).toBe(false)
  })

  it('sign one request at a time however many arrive together', async () => {
    const signatures = await Promise.all(Array.from({ length: 12 }, () => signer.sign(kid, alg, INPUT)))
    expect(signatures.every((signature) => verifies(alg, jwk, signature))).toBe(true)
  })

  it('cannot be read out of the token, even by a session holding the PIN', () => {
    withRawSession((find, read) => {
      const [privateKey] = find(kid, pkcs11.CKO_PRIVATE_KEY)
      expect(privateKey).toBeDefined()
      expect(read(privateKey as Buffer, secretAttribute)).toBe('CKR_ATTRIBUTE_SENSITIVE')
      expect(read(privateKey as Buffer, pkcs11.CKA_EXTRACTABLE)).toEqual(Buffer.from([0]))
      expect(read(privateKey as Buffer, pkcs11.CKA_SENSITIVE)).toEqual(Buffer.from([1]))
      expect(read(privateKey as Buffer, pkcs11.CKA_TOKEN)).toEqual(Buffer.from([1]))
      expect(read(privateKey as Buffer, pkcs11.CKA_LABEL)).toEqual(Buffer.from(kid))
    })
  })

  it('is not generated twice under one kid', async () => {
    expect((await tokenError(() => signer.generate(kid, alg))).code).toBe('PKCS11_KEY_EXISTS')
  })

  it('is gone, both halves, once destroyed', async () => {
    expect(await signer.has(kid)).toBe(true)
    await signer.destroy(kid)
    expect(await signer.has(kid)).toBe(false)
    withRawSession((find) => {
      expect(find(kid, pkcs11.CKO_PRIVATE_KEY)).toEqual([])
      expect(find(kid, pkcs11.CKO_PUBLIC_KEY)).toEqual([])
    })
    const error = await tokenError(() => signer.sign(kid, alg, INPUT))
    expect(error.code).toBe('PKCS11_KEY_NOT_FOUND')
    expect(error.message).toBe(`PKCS#11: token "${LABEL}" has no private key ${kid}`)
  })
})
