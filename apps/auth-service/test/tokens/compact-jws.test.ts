import { createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { importPKCS8, jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { compactJwsSigner, JwsKeyError } from '../../src/tokens/compact-jws.js'

const keyOf: Record<SigningAlgorithm, () => KeyObject> = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  EdDSA: () => generateKeyPairSync('ed25519').privateKey
}
const CLAIMS = {
  iss: 'http://auth.test',
  sub: 'reports-bot',
  aud: 'reports-api',
  iat: 1_900_000_000,
  nbf: 1_900_000_000,
  exp: 1_900_000_300,
  jti: 'a1b2',
  client_id: 'reports-bot',
  scope: 'reports:read',
  cnf: { jkt: 'x' }
}
const headerFor = (alg: SigningAlgorithm) => ({ alg, kid: 'k1', typ: 'at+jwt' })

/** The same token as jose's SignJWT makes it, from the same PKCS#8 key. */
async function joseToken (alg: SigningAlgorithm, key: KeyObject): Promise<string> {
  const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }).toString()
  return new SignJWT(CLAIMS).setProtectedHeader(headerFor(alg)).sign(await importPKCS8(pkcs8, alg))
}

describe('compactJwsSigner', () => {
  // RSASSA-PKCS1-v1_5 and Ed25519 are deterministic: the same header, claims and key give the same bytes.
  it.each(['RS256', 'EdDSA'] as const)('signs %s tokens byte for byte as jose\'s SignJWT does', async (alg) => {
    const key = keyOf[alg]()
    expect(compactJwsSigner(alg, key)(headerFor(alg), CLAIMS)).toBe(await joseToken(alg, key))
  })

  it('signs ES256 with R and S side by side (64 bytes, RFC 7518 §3.4), as jose verifies it', async () => {
    const key = keyOf.ES256()
    const token = compactJwsSigner('ES256', key)(headerFor('ES256'), CLAIMS)
    const [header, payload, signature] = token.split('.')
    expect(Buffer.from(signature ?? '', 'base64url')).toHaveLength(64)
    // ECDSA signatures are randomized: the signing input is what matches jose's.
    const [joseHeader, josePayload] = (await joseToken('ES256', key)).split('.')
    expect([header, payload]).toEqual([joseHeader, josePayload])
    const verified = await jwtVerify(token, createPublicKey(key), { currentDate: new Date(1_900_000_100_000) })
    expect(verified.payload).toEqual(CLAIMS)
    expect(verified.protectedHeader).toEqual(headerFor('ES256'))
  })

  it.each([
    ['an RSA key for ES256', 'ES256', keyOf.RS256],
    ['a P-384 key for ES256', 'ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey],
    ['an Ed25519 key for RS256', 'RS256', keyOf.EdDSA],
    ['an Ed448 key for EdDSA', 'EdDSA', () => generateKeyPairSync('ed448').privateKey],
    ['a public key', 'EdDSA', () => createPublicKey(keyOf.EdDSA())],
    ['a secret key', 'RS256', () => createSecretKey(randomBytes(32))]
  ] as const)('refuses %s', (_name, alg, key) => {
    const make = () => compactJwsSigner(alg, key())
    expect(make).toThrow(JwsKeyError)
    expect(make).toThrow(expect.objectContaining({ code: 'JWS_KEY_MISMATCH' }))
  })

  it('refuses a header that names another algorithm than its key\'s', () => {
    const sign = compactJwsSigner('EdDSA', keyOf.EdDSA())
    expect(() => sign({ ...headerFor('EdDSA'), alg: 'none' }, CLAIMS)).toThrow(JwsKeyError)
    expect(() => sign({ ...headerFor('EdDSA'), alg: 'ES256' }, CLAIMS)).toThrow(JwsKeyError)
  })
})
