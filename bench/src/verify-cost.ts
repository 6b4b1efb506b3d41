import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import type { SigningAlgorithm } from '@repo/contracts/access-token'

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
