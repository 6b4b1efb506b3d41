import { constants, generateKeyPairSync, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto'
import type { JWK } from 'jose'
import { NOW, URL_ } from './proofs.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

export const CLAIMS = { jti: 'j1', htm: 'GET', htu: URL_, iat: NOW / 1000 }

/**
 * A proof signed with node:crypto, for what jose will not sign: a header it refuses to write, a key it
 * refuses to use (RSA under 2048 bits), a padding other than the one its alg names.
 */
export function rawProof (
  header: Record<string, unknown>, key: KeyObject | SignKeyObjectInput, digest: string | null = 'sha256',
  claims: Record<string, unknown> = CLAIMS
): string {
  const input = `${b64(header)}.${b64(claims)}`
  return `${input}.${sign(digest, Buffer.from(input), key).toString('base64url')}`
}

/** An RSA key pair of `modulusLength` bits, the public half as a JWK. */
export function rsaKey (modulusLength: number): { privateKey: KeyObject, jwk: JWK } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength })
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) as JWK }
}

export const PKCS1 = constants.RSA_PKCS1_PADDING
