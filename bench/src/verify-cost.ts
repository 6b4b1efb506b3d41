import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import type { SigningAlgorithm } from '@repo/contracts/access-token'

const KEY_PAIRS: Record<SigningAlgorithm, () => { privateKey: KeyObject, publicKey: KeyObject }> = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: () => generateKeyPairSync('ed25519')
}

/**
 * Microseconds for one signature verification with Node's crypto, on this machine, in this run:
 * the floor under the cost of a request that carries a token never seen before.
 */
export function verifyCostMicros (alg: SigningAlgorithm, iterations = 2000): number {
  const { privateKey, publicKey } = KEY_PAIRS[alg]()
  const digest = alg === 'EdDSA' ? null : 'sha256'
  const options = alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}
  const input = Buffer.from('x'.repeat(700)) // about the size of a token's signing input
  const signature = sign(digest, input, { key: privateKey, ...options })
  for (let i = 0; i < iterations / 4; i++) verify(digest, input, { key: publicKey, ...options }, signature)
  const started = performance.now()
  for (let i = 0; i < iterations; i++) verify(digest, input, { key: publicKey, ...options }, signature)
  return Math.round(((performance.now() - started) * 1000 / iterations) * 10) / 10
}
