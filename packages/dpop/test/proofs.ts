import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { accessTokenHash } from '../src/verify-proof.js'

export const NOW = Date.parse('2030-01-01T00:00:00Z')
export const URL_ = 'https://api.example/reports'

export interface ProofKey { alg: string, privateKey: CryptoKey, publicJwk: JWK }

export async function proofKey (alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, privateKey, publicJwk: await exportJWK(publicKey) }
}

/** A proof as a client makes it, each part overridable to make it wrong. */
export async function makeProof (
  key: ProofKey,
  { claims = {}, header = {}, accessToken }: {
    claims?: JWTPayload, header?: Record<string, unknown>, accessToken?: string
  } = {}
): Promise<string> {
  return new SignJWT({
    jti: randomUUID(),
    htm: 'GET',
    htu: URL_,
    iat: Math.floor(NOW / 1000),
    ...accessToken === undefined ? {} : { ath: accessTokenHash(accessToken) },
    ...claims
  }).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...header }).sign(key.privateKey)
}

/** The expectations of a GET of URL_ at NOW, a 60 s window. */
export const expectations = {
  method: 'GET', url: URL_, iatWindowSeconds: 60, clockToleranceSeconds: 5, now: () => NOW
}
