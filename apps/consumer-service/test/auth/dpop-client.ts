import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { accessTokenHash } from '@repo/dpop/verify-proof'

/** A client's DPoP key: what signs its proofs, and the thumbprint its tokens are bound to (`cnf.jkt`). */
export interface DpopKey { alg: string, privateKey: CryptoKey, publicJwk: JWK, privateJwk: JWK, jkt: string }

export async function dpopKey (alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { alg, privateKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk) }
}

export interface ProofParts {
  htm?: string
  htu: string
  /** The token whose hash the proof carries (`ath`); none without it. */
  token?: string
  /** Seconds since the epoch; now by default. */
  iat?: number
  claims?: Record<string, unknown>
  header?: Record<string, unknown>
}

/** A proof as a client makes it (RFC 9449 §4.2), each part overridable to make it wrong. */
export function proof (key: DpopKey, { htm = 'GET', htu, token, iat, claims = {}, header = {} }: ProofParts): Promise<string> {
  return new SignJWT({
    jti: randomUUID(),
    htm,
    htu,
    iat: iat ?? Math.floor(Date.now() / 1000),
    ...token === undefined ? {} : { ath: accessTokenHash(token) },
    ...claims
  }).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...header }).sign(key.privateKey)
}

/** The headers of a DPoP request: the token under the DPoP scheme, and the proof. */
export function dpopHeaders (token: string, proofValue: string): Record<string, string>
export function dpopHeaders (token: string, proofValue: string[]): Record<string, string | string[]>
export function dpopHeaders (token: string, proofValue: string | string[]): Record<string, string | string[]> {
  return { authorization: `DPoP ${token}`, dpop: proofValue }
}
