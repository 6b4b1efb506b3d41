import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { PublicJwk } from '@repo/contracts/jwks'
import { toPublicJwk } from './jwks-document.js'

/** A key about to be stored: `privateKey` is what the key custody keeps of its private half (opaque here). */
export interface NewSigningKey {
  kid: string
  alg: SigningAlgorithm
  publicJwk: PublicJwk
  privateKey: string
}

/** A key pair as generated, its private half in the clear: only the key custody sees one. */
export interface GeneratedKeyPair extends Omit<NewSigningKey, 'privateKey'> {
  privatePkcs8: string
}

/**
 * A fresh key pair. The `kid` is the RFC 7638 SHA-256 thumbprint of the public key, so it names
 * the key itself: it can't collide with, or be reused for, another key.
 */
export async function generateSigningKey (alg: SigningAlgorithm): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {})
  })
  const jwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(jwk, 'sha256')
  return {
    kid,
    alg,
    publicJwk: toPublicJwk({ ...jwk, kid, alg, use: 'sig' }),
    privatePkcs8: await exportPKCS8(privateKey)
  }
}
