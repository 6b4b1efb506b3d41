import { createPrivateKey, sign } from 'node:crypto'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { openPrivateKey, parseKeyEncryptionKeys, sealPrivateKey } from '@repo/auth-service/key-sealing'
import { keyPairFor } from './verify-cost.js'

/** CPU time each figure is averaged over: an RSA signature takes about a millisecond, an Ed25519 one 30 µs. */
const BUDGET_MICROS = 100_000
const MIN_ITERATIONS = 20

const round = (micros: number) => Math.round(micros * 10) / 10

/**
 * CPU µs of one signature of a token's signing input with node:crypto and a prepared KeyObject, on
 * this machine, in this run: the floor under what the auth service pays per grant for cryptography.
 * Thread CPU time, like `verifyCostMicros`, so a busy machine's preemptions don't count.
 */
export function signCostMicros (alg: SigningAlgorithm): number {
  const { privateKey } = keyPairFor(alg)
  const digest = alg === 'EdDSA' ? null : 'sha256'
  const input = Buffer.from('x'.repeat(700)) // about the size of a token's signing input
  for (let i = 0; i < MIN_ITERATIONS; i++) sign(digest, input, privateKey)
  const started = process.threadCpuUsage()
  let iterations = 0
  let used = 0
  while (iterations < MIN_ITERATIONS || used < BUDGET_MICROS) {
    sign(digest, input, privateKey)
    iterations++
    const { user, system } = process.threadCpuUsage(started)
    used = user + system
  }
  return round(used / iterations)
}

/**
 * CPU µs to open one sealed private key as the auth service does when it loads a key (its sealed
 * key custody): `openPrivateKey` (AES-256-GCM with the key-encryption key) and node:crypto's `createPrivateKey`.
 * The service does this once per key, at start or when a rotated key appears, never per token.
 */
export function unsealCostMicros (alg: SigningAlgorithm): number {
  const keyring = parseKeyEncryptionKeys(Buffer.alloc(32, 7).toString('base64url'), 'bench')
  const kid = `bench-${alg}`
  const pem = keyPairFor(alg).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const sealed = sealPrivateKey(keyring, kid, pem)
  const open = () => createPrivateKey({ key: openPrivateKey(keyring, kid, sealed) })
  for (let i = 0; i < MIN_ITERATIONS; i++) open()
  const started = process.cpuUsage()
  let iterations = 0
  let used = 0
  while (iterations < MIN_ITERATIONS || used < BUDGET_MICROS) {
    open()
    iterations++
    const { user, system } = process.cpuUsage(started)
    used = user + system
  }
  return round(used / iterations)
}
