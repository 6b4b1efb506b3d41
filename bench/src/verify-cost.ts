import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { makeProof, proofClients, type ProofClient } from './dpop-proofs.js'

type KeyPair = { privateKey: KeyObject, publicKey: KeyObject }

const KEY_PAIRS: Record<SigningAlgorithm, () => KeyPair> = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: () => generateKeyPairSync('ed25519')
}
const keys = new Map<SigningAlgorithm, KeyPair>()

/** One key pair per algorithm for the whole run, made on first use. */
export function keyPairFor (alg: SigningAlgorithm): KeyPair {
  let pair = keys.get(alg)
  if (!pair) keys.set(alg, pair = KEY_PAIRS[alg]())
  return pair
}

/**
 * Microseconds of this thread's CPU time for one signature verification with Node's crypto, on
 * this machine, in this run: the floor under the cost of a request that carries a token never seen
 * before. CPU time, like the servers' figures, so a busy machine's preemptions don't count. The
 * KeyObject is passed as it is, Node's cheapest form: wrapped in an options object (`{ key }`, or
 * `{ key, dsaEncoding }` for a JOSE ECDSA signature) it costs about a quarter more on Node 24,
 * which first probes the wrapper as a KeyObject and as a CryptoKey by throwing. So the ECDSA
 * signature is DER here, as a verifier converting the JOSE one would pass it.
 */
export function verifyCostMicros (alg: SigningAlgorithm, iterations = 2000): number {
  const { privateKey, publicKey } = keyPairFor(alg)
  const digest = alg === 'EdDSA' ? null : 'sha256'
  const input = Buffer.from('x'.repeat(700)) // about the size of a token's signing input
  const signature = sign(digest, input, privateKey)
  for (let i = 0; i < iterations / 4; i++) verify(digest, input, publicKey, signature)
  const started = process.threadCpuUsage()
  for (let i = 0; i < iterations; i++) verify(digest, input, publicKey, signature)
  const { user, system } = process.threadCpuUsage(started)
  return Math.round(((user + system) / iterations) * 10) / 10
}

/**
 * Microseconds of this thread's CPU time for verifying one ES256 DPoP proof's signature with
 * node:crypto as a verifier must take it: the JOSE signature (`ieee-p1363`, hence the options object)
 * over the proof's signing input, with the client's key already imported. The reference the issue
 * sets for what DPoP may add to a request: one of these plus 25 µs.
 */
export function proofVerifyCostMicros (iterations = 2000): number {
  const [client] = proofClients(1) as [ProofClient]
  const url = 'http://127.0.0.1:3000/api/v1/protected'
  const proof = makeProof(client, { method: 'GET', url, ath: 'x'.repeat(43), iat: 0 })
  const dot = proof.lastIndexOf('.')
  const input = Buffer.from(proof.slice(0, dot))
  const signature = Buffer.from(proof.slice(dot + 1), 'base64url')
  const key = { key: client.publicKey, dsaEncoding: 'ieee-p1363' } as const
  for (let i = 0; i < iterations / 4; i++) verify('sha256', input, key, signature)
  const started = process.threadCpuUsage()
  for (let i = 0; i < iterations; i++) {
    if (!verify('sha256', input, key, signature)) throw new Error('the reference proof did not verify')
  }
  const { user, system } = process.threadCpuUsage(started)
  return Math.round(((user + system) / iterations) * 10) / 10
}
