import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { StoredKey } from '../keys/key-store.js'
import { CliError } from './cli-error.js'

/**
 * The algorithm the service on this database signs with: that of the active key (during a change of
 * SIGNING_ALG, the old one's until the new key is due; with two active keys, as an older release
 * left them for a moment, the one activated last). `undefined` if none is active.
 */
export function currentSigningAlg (keys: readonly StoredKey[]): SigningAlgorithm | undefined {
  const active = keys.filter((key) => key.state === 'active')
  const latest = (key: StoredKey) => key.activatedAt ?? key.createdAt
  return active.sort((a, b) => latest(b) - latest(a))[0]?.alg
}

/** The algorithm a change of SIGNING_ALG is switching to: that of a `next` key unlike the signing one. */
export function switchingToAlg (keys: readonly StoredKey[]): SigningAlgorithm | undefined {
  const current = currentSigningAlg(keys)
  return keys.find((key) => key.state === 'next' && key.alg !== current)?.alg
}

/**
 * The algorithm a rotation makes its `next` key for: the database's, never just this process's
 * environment (a key of another algorithm would never sign). `requested` is SIGNING_ALG when it is
 * set here; if it disagrees with the database (and with the algorithm a switch under way, if any,
 * goes to: that switch is the rotation), that is a mistake worth stopping for.
 */
export function rotationAlg (
  current: SigningAlgorithm | undefined,
  requested: SigningAlgorithm | undefined,
  switchingTo?: SigningAlgorithm
): SigningAlgorithm {
  if (current === undefined) {
    throw new CliError(
      'the database has no active signing key to rotate: start the service once first (it creates one)'
    )
  }
  if (requested !== undefined && requested !== current && requested !== switchingTo) {
    throw new CliError(
      `SIGNING_ALG is ${requested} here, but the service signs with ${current} (the active key in the database): ` +
      `unset SIGNING_ALG, or set it to ${current}`
    )
  }
  return current
}
