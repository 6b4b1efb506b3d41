import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { PublicJwk } from '@repo/contracts/jwks'
import { toPublicJwk } from './jwks-document.js'

export interface NewSigningKey {
  kid: string
  alg: SigningAlgorithm
  publicJwk: PublicJwk
  privatePkcs8: string
}

/**
 * A fresh key pair. The `kid` is the RFC 7638 SHA-256 thumbprint of the public key, so it names
 * the key itself: it can't collide with, or be reused for, another key.
 */
export async function generateSigningKey (alg: SigningAlgorithm): Promise<NewSigningKey> {
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
