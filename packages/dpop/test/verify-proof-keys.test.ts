import { generateKeyPairSync } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { ProofKeyCache } from '../src/proof-key-cache.js'
import { DpopProofError, verifyProof } from '../src/verify-proof.js'
import { expectations, makeProof, NOW, proofKey } from './proofs.js'
import { PKCS1, rawProof, rsaKey } from './raw-proofs.js'

/** What verifyProof says about `proof`: accepted, or the code and log reason of its refusal. */
async function outcome (proof: string, more: Record<string, unknown> = {}) {
  try {
    await verifyProof(proof, { ...expectations, ...more })
    return 'accepted'
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error
    return { code: error.code, reason: error.reason }
  }
}
const refused = (reason: string) => ({ code: 'invalid_dpop_proof', reason })
const withBadSignature = (header: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.e30.AAAA`

describe('verifyProof: the header', () => {
  it.each(['application/dpop+jwt', 'DPoP+JWT'])('accepts typ %s (case-insensitive, application/ optional)', async (typ) => {
    const key = await proofKey()
    expect(await outcome(await makeProof(key, { header: { typ } }))).toBe('accepted')
  })

  it('refuses a crit or b64 header (no JWS extension is understood)', async () => {
    const key = await proofKey()
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const header = { alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk }
    const reason = 'the header has crit or b64 (no extension is supported)'
    expect(await outcome(rawProof({ ...header, crit: ['exp'] }, privateKey))).toEqual(refused(reason))
    expect(await outcome(rawProof({ ...header, b64: true }, privateKey))).toEqual(refused(reason))
  })

  it('refuses anything but three base64url parts, and a payload that is not a JSON object', async () => {
    const key = await proofKey()
    const proof = await makeProof(key)
    expect(await outcome(`${proof}.x`)).toEqual(refused('not a compact JWS (three base64url parts)'))
    expect(await outcome(`${proof}=`)).toEqual(refused('the signature does not verify with the jwk'))
    const { privateKey } = generateKeyPairSync('ed25519')
    const jwk = privateKey.export({ format: 'jwk' })
    const header = { alg: 'EdDSA', typ: 'dpop+jwt', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } }
    expect(await outcome(rawProof(header, privateKey, null, [1] as never)))
      .toEqual(refused('the payload is not a base64url JSON object'))
  })
})

describe('verifyProof: the key fits the algorithm', () => {
  it('refuses a key of another type or curve than its alg', async () => {
    const ec = await proofKey('ES256')
    const ed = await proofKey('EdDSA')
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })
    expect(await outcome(withBadSignature({ alg: 'RS256', typ: 'dpop+jwt', jwk: ec.publicJwk })))
      .toEqual(refused('a EC key cannot verify RS256'))
    expect(await outcome(withBadSignature({ alg: 'ES256', typ: 'dpop+jwt', jwk: ed.publicJwk })))
      .toEqual(refused('a OKP key cannot verify ES256'))
    expect(await outcome(withBadSignature({ alg: 'ES256', typ: 'dpop+jwt', jwk: p384 })))
      .toEqual(refused('a key on curve P-384 cannot verify ES256'))
  })

  it('refuses a jwk whose alg, use or key_ops forbid verifying this proof', async () => {
    const key = await proofKey()
    const header = (jwk: JWK) => ({ alg: 'ES256', typ: 'dpop+jwt', jwk: { ...key.publicJwk, ...jwk } })
    expect(await outcome(withBadSignature(header({ alg: 'ES384' })))).toEqual(refused('the jwk names another alg'))
    expect(await outcome(withBadSignature(header({ use: 'enc' })))).toEqual(refused('the jwk is not for signatures'))
    expect(await outcome(withBadSignature(header({ key_ops: ['encrypt'] }))))
      .toEqual(refused('the jwk key_ops do not include verify'))
    expect(await outcome(await makeProof({ ...key, publicJwk: { ...key.publicJwk, alg: 'ES256', use: 'sig' } })))
      .toBe('accepted')
  })

  it('refuses key material that is not canonical base64url, of the wrong length, or not on the curve', async () => {
    const key = await proofKey()
    const x = key.publicJwk.x as string
    const header = (jwk: JWK) => ({ alg: 'ES256', typ: 'dpop+jwt', jwk: { ...key.publicJwk, ...jwk } })
    // The last of the 43 characters of a 32-byte value carries 2 unused bits: flipping one keeps the bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sameBytes = x.slice(0, -1) + alphabet[alphabet.indexOf(x.at(-1)!) ^ 1]!
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(x, 'base64url'))
    expect(await outcome(withBadSignature(header({ x: sameBytes }))))
      .toEqual(refused('the jwk member x is not canonical base64url'))
    expect(await outcome(withBadSignature(header({ x: `${x}!` }))))
      .toEqual(refused('the jwk member x is not canonical base64url'))
    expect(await outcome(withBadSignature(header({ x: x.slice(0, -3) }))))
      .toEqual(refused('the jwk member x is not 32 bytes long'))
    expect(await outcome(withBadSignature(header({ y: x }))))
      .toEqual(refused('the jwk is not a valid public key'))
  })

  it('refuses RSA keys under 2048 or over 8192 bits, and public exponents over 64 bits', async () => {
    const small = rsaKey(1024)
    expect(await outcome(rawProof({ alg: 'RS256', typ: 'dpop+jwt', jwk: small.jwk }, small.privateKey)))
      .toEqual(refused('an RSA key of 1024 bits (2048 to 8192 are accepted)'))
    const big = { kty: 'RSA', e: 'AQAB', n: Buffer.alloc(1025, 0xff).toString('base64url') }
    expect(await outcome(withBadSignature({ alg: 'PS256', typ: 'dpop+jwt', jwk: big })))
      .toEqual(refused('an RSA key of 8200 bits (2048 to 8192 are accepted)'))
    const { publicJwk: jwk } = await proofKey('RS256')
    const hugeExponent = Buffer.concat([Buffer.alloc(9, 0xff), Buffer.from([1])]).toString('base64url')
    expect(await outcome(withBadSignature({ alg: 'RS256', typ: 'dpop+jwt', jwk: { ...jwk, e: hugeExponent } })))
      .toEqual(refused('an RSA public exponent over 64 bits'))
  })
})

describe('verifyProof: the key cache', () => {
  it('uses a key cached for RS256 with PS256\'s padding only: a PKCS#1 v1.5 signature under PS256 fails', async () => {
    const keyCache = new ProofKeyCache()
    const rsa = rsaKey(2048)
    const header = { typ: 'dpop+jwt', jwk: rsa.jwk }
    expect(await outcome(rawProof({ ...header, alg: 'RS256' }, rsa.privateKey), { keyCache })).toBe('accepted')
    expect(keyCache.size).toBe(1)
    expect(await outcome(rawProof({ ...header, alg: 'PS256' }, { key: rsa.privateKey, padding: PKCS1 }), { keyCache }))
      .toEqual(refused('the signature does not verify with the jwk'))
  })

  it('does not let an EC key cached by an ES256 proof verify under another alg', async () => {
    const keyCache = new ProofKeyCache()
    const key = await proofKey('ES256')
    expect(await outcome(await makeProof(key), { keyCache })).toBe('accepted')
    expect(await outcome(withBadSignature({ alg: 'RS256', typ: 'dpop+jwt', jwk: key.publicJwk }), { keyCache }))
      .toEqual(refused('a EC key cannot verify RS256'))
  })

  it('keeps at most maxEntries keys, the least recently used leaving first, with their RFC 7638 thumbprints', async () => {
    const keyCache = new ProofKeyCache({ maxEntries: 2 })
    const keys = await Promise.all([proofKey('ES256'), proofKey('EdDSA'), proofKey('ES256')])
    const canonical = ({ crv, kty, x, y }: JWK) => JSON.stringify({ crv, kty, x, y })
    const verify = async (index: number, header: Record<string, unknown> = {}) =>
      verifyProof(await makeProof(keys[index]!, { header }), { ...expectations, keyCache }).jkt
    expect(await verify(0)).toBe(await calculateJwkThumbprint(keys[0]!.publicJwk))
    await verify(1)
    // Another spelling of key 0's header: not one remembered, so the key is found in the key cache, now most recent.
    expect(await verify(0, { typ: 'application/dpop+jwt' })).toBe(await calculateJwkThumbprint(keys[0]!.publicJwk))
    await verify(2)
    expect(keyCache.size).toBe(2)
    expect(keyCache.has(canonical(keys[0]!.publicJwk))).toBe(true)
    expect(keyCache.has(canonical(keys[1]!.publicJwk))).toBe(false)
    expect(keyCache.has(canonical(keys[2]!.publicJwk))).toBe(true)
    expect(await verify(1)).toBe(await calculateJwkThumbprint(keys[1]!.publicJwk))
  })
})

describe('verifyProof: the headers remembered with their keys', () => {
  const encodedHeaderOf = (proof: string) => proof.split('.')[0] as string

  it('remembers a header once its key imported, and still verifies every proof\'s signature', async () => {
    const keyCache = new ProofKeyCache()
    const key = await proofKey()
    const proof = await makeProof(key)
    expect(await outcome(proof, { keyCache })).toBe('accepted')
    expect(keyCache.header(encodedHeaderOf(proof))?.header).toMatchObject({ alg: 'ES256', jwk: key.publicJwk })
    const [header, payload] = proof.split('.')
    expect(await outcome(`${header}.${payload}.${'A'.repeat(86)}`, { keyCache }))
      .toEqual(refused('the signature does not verify with the jwk'))
  })

  it('remembers no header that was refused, nor one whose key did not import', async () => {
    const keyCache = new ProofKeyCache()
    const { publicJwk } = await proofKey()
    const typless = withBadSignature({ alg: 'ES256', jwk: publicJwk })
    expect(await outcome(typless, { keyCache })).toEqual(refused('typ is not dpop+jwt'))
    const offCurve = withBadSignature({ alg: 'ES256', typ: 'dpop+jwt', jwk: { ...publicJwk, y: publicJwk.x } })
    expect(await outcome(offCurve, { keyCache })).toEqual(refused('the jwk is not a valid public key'))
    expect(keyCache.header(encodedHeaderOf(typless))).toBeUndefined()
    expect(keyCache.header(encodedHeaderOf(offCurve))).toBeUndefined()
  })

  it('checks a remembered header\'s alg against each caller\'s algorithms', async () => {
    const keyCache = new ProofKeyCache()
    const key = await proofKey()
    expect(await outcome(await makeProof(key), { keyCache })).toBe('accepted')
    expect(await outcome(await makeProof(key), { keyCache, algorithms: ['EdDSA'] }))
      .toEqual(refused('alg ES256 is not allowed'))
  })

  it('keeps at most maxEntries headers, the oldest leaving first', async () => {
    const keyCache = new ProofKeyCache({ maxEntries: 2 })
    const proofs = await Promise.all([proofKey(), proofKey(), proofKey()].map(async (key) => makeProof(await key)))
    for (const proof of proofs) expect(await outcome(proof, { keyCache })).toBe('accepted')
    expect(proofs.map((proof) => keyCache.header(encodedHeaderOf(proof)) !== undefined)).toEqual([false, true, true])
  })
})

describe('verifyProof: exp and nbf, when a proof has them', () => {
  it('refuses a proof that says it has expired or is not valid yet', async () => {
    const key = await proofKey()
    const at = NOW / 1000
    expect(await outcome(await makeProof(key, { claims: { exp: at - 6 } }))).toEqual(refused('exp is not a time in the future'))
    expect(await outcome(await makeProof(key, { claims: { nbf: at + 6 } }))).toEqual(refused('nbf is not a time in the past'))
    expect(await outcome(await makeProof(key, { claims: { exp: at + 1, nbf: at - 1 } }))).toBe('accepted')
  })
})
