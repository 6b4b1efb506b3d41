import { calculateJwkThumbprint, exportJWK, generateKeyPair, generateSecret, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { DpopProofError, verifyProof } from '../src/verify-proof.js'
import { expectations, makeProof, NOW, proofKey, URL_ } from './proofs.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** What verifyProof says about `proof`: accepted, or the code and log reason of its refusal. */
async function outcome (proof: string, more: Partial<typeof expectations> & Record<string, unknown> = {}) {
  try {
    await verifyProof(proof, { ...expectations, ...more })
    return 'accepted'
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error
    return { code: error.code, reason: error.reason }
  }
}

describe('verifyProof (RFC 9449 §4.3)', () => {
  it.each(['ES256', 'EdDSA', 'RS256', 'PS256'])('accepts a %s proof and names its key by RFC 7638 thumbprint', async (alg) => {
    const key = await proofKey(alg)
    const verified = await verifyProof(await makeProof(key), expectations)
    expect(verified.jkt).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'))
    expect(verified.iat).toBe(NOW / 1000)
    expect(verified.jti).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('accepts an htu that differs only by normalisation (case of scheme and host, default port)', async () => {
    const key = await proofKey()
    const proof = await makeProof(key, { claims: { htu: 'HTTPS://API.example:443/reports' } })
    expect(await outcome(proof)).toBe('accepted')
  })

  it('accepts a proof with the access token\'s hash when one is expected', async () => {
    const key = await proofKey()
    expect(await outcome(await makeProof(key, { accessToken: 'the.access.token' }), { accessToken: 'the.access.token' }))
      .toBe('accepted')
  })

  it('refuses alg none', async () => {
    const key = await proofKey()
    const unsigned = `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${b64({ jti: 'x', htm: 'GET', htu: URL_, iat: NOW / 1000 })}.`
    expect(await outcome(unsigned)).toMatchObject({ code: 'invalid_dpop_proof' })
  })

  it('refuses HS256, even with the secret in a jwk', async () => {
    const secret = await generateSecret('HS256', { extractable: true })
    const proof = await new SignJWT({ jti: 'x', htm: 'GET', htu: URL_, iat: NOW / 1000 })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: await exportJWK(secret) }).sign(secret)
    expect(await outcome(proof)).toEqual({ code: 'invalid_dpop_proof', reason: 'the jwk header has the private member "k"' })
  })

  it('refuses a jwk with private members', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = await exportJWK(privateKey)
    const proof = await new SignJWT({ jti: 'x', htm: 'GET', htu: URL_, iat: NOW / 1000 })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: privateJwk }).sign(privateKey)
    expect(await outcome(proof)).toEqual({ code: 'invalid_dpop_proof', reason: 'the jwk header has the private member "d"' })
  })

  it('refuses a proof signed by another key than its jwk', async () => {
    const key = await proofKey()
    const other = await proofKey()
    const proof = await makeProof({ ...key, publicJwk: other.publicJwk })
    expect(await outcome(proof)).toEqual({ code: 'invalid_dpop_proof', reason: 'the signature does not verify with the jwk' })
  })

  it('refuses a typ other than dpop+jwt, and no jwk', async () => {
    const key = await proofKey()
    expect(await outcome(await makeProof(key, { header: { typ: 'JWT' } }))).toEqual({ code: 'invalid_dpop_proof', reason: 'typ is not dpop+jwt' })
    expect(await outcome(await makeProof(key, { header: { jwk: undefined } }))).toEqual({ code: 'invalid_dpop_proof', reason: 'the header has no jwk object' })
  })

  it('refuses an algorithm outside the allow-list given', async () => {
    const key = await proofKey('RS256')
    expect(await outcome(await makeProof(key), { algorithms: ['ES256'] })).toEqual({ code: 'invalid_dpop_proof', reason: 'alg RS256 is not allowed' })
  })

  it('refuses a proof for another method or another URL, or an htu with a query or fragment', async () => {
    const key = await proofKey()
    const refused = (reason: string) => ({ code: 'invalid_dpop_proof', reason })
    expect(await outcome(await makeProof(key, { claims: { htm: 'POST' } }))).toEqual(refused('htm POST is not the request\'s method GET'))
    const wrongUrl = refused('htu is not the request\'s URL (without query and fragment)')
    expect(await outcome(await makeProof(key, { claims: { htu: 'https://api.example/other' } }))).toEqual(wrongUrl)
    expect(await outcome(await makeProof(key, { claims: { htu: 'https://evil.example/reports' } }))).toEqual(wrongUrl)
    expect(await outcome(await makeProof(key, { claims: { htu: `${URL_}?a=1` } }))).toEqual(wrongUrl)
    expect(await outcome(await makeProof(key, { claims: { htu: `${URL_}#f` } }))).toEqual(wrongUrl)
    expect(await outcome(await makeProof(key, { claims: { htu: 42 } }))).toEqual(wrongUrl)
  })

  it('refuses a stale iat and one from the future, beyond the window and the tolerance', async () => {
    const key = await proofKey()
    const at = (seconds: number) => makeProof(key, { claims: { iat: NOW / 1000 + seconds } })
    expect(await outcome(await at(-65))).toBe('accepted')
    expect(await outcome(await at(65))).toBe('accepted')
    expect(await outcome(await at(-66))).toEqual({ code: 'invalid_dpop_proof', reason: 'iat is 66 s from now, more than the 60 s allowed' })
    expect(await outcome(await at(66))).toEqual({ code: 'invalid_dpop_proof', reason: 'iat is 66 s from now, more than the 60 s allowed' })
    expect(await outcome(await makeProof(key, { claims: { iat: 'now' as unknown as number } }))).toMatchObject({ code: 'invalid_dpop_proof' })
  })

  it('refuses a proof without jti', async () => {
    const key = await proofKey()
    expect(await outcome(await makeProof(key, { claims: { jti: undefined } })))
      .toEqual({ code: 'invalid_dpop_proof', reason: 'jti must be a string of 1 to 256 characters' })
  })

  it('refuses a wrong or missing ath when an access token is presented', async () => {
    const key = await proofKey()
    const refused = { code: 'invalid_dpop_proof', reason: 'ath is not the hash of the access token' }
    expect(await outcome(await makeProof(key, { accessToken: 'another.token.x' }), { accessToken: 'the.access.token' })).toEqual(refused)
    expect(await outcome(await makeProof(key), { accessToken: 'the.access.token' })).toEqual(refused)
  })

  it('asks for a nonce (use_dpop_nonce) when it is missing or not current', async () => {
    const key = await proofKey()
    expect(await outcome(await makeProof(key), { nonces: ['n1', 'n0'] })).toEqual({ code: 'use_dpop_nonce', reason: 'no nonce' })
    expect(await outcome(await makeProof(key, { claims: { nonce: 'old' } }), { nonces: ['n1', 'n0'] }))
      .toEqual({ code: 'use_dpop_nonce', reason: 'a nonce that is not current' })
    expect(await outcome(await makeProof(key, { claims: { nonce: 'n0' } }), { nonces: ['n1', 'n0'] })).toBe('accepted')
  })

  it('refuses garbage without decoding more than it must', async () => {
    expect(await outcome('x'.repeat(8193))).toEqual({ code: 'invalid_dpop_proof', reason: 'longer than 8192 characters' })
    expect(await outcome('!!!.e30.x')).toEqual({ code: 'invalid_dpop_proof', reason: 'the header is not base64url JSON' })
    expect(await outcome(`${b64({ jwk: [1] })}.e30.x`)).toEqual({ code: 'invalid_dpop_proof', reason: 'the header has no jwk object' })
  })
})
