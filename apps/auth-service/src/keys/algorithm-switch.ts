import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { StoredKey } from './key-store.js'

/** A change of SIGNING_ALG under way: `from` still signs; `to`'s key `kid` is published and signs from `at`. */
export interface AlgorithmSwitch {
  from: SigningAlgorithm
  to: SigningAlgorithm
  kid: string
  /** Milliseconds since the epoch. */
  at: number
}

/** The switch to `alg` the published keys are waiting for, if any (see KeyLifecycle: it is a rotation). */
export function pendingAlgorithmSwitch (
  published: readonly StoredKey[],
  alg: SigningAlgorithm
): AlgorithmSwitch | undefined {
  const active = published.filter((key) => key.state === 'active')
  const next = published.find((key) => key.state === 'next' && key.alg === alg)
  const signing = active[0]
  if (!signing || !next || active.some((key) => key.alg === alg)) return undefined
  return { from: signing.alg, to: alg, kid: next.kid, at: next.activatesAt ?? next.createdAt }
}

/** The start-up line: when the new algorithm takes over, and what signs until then. */
export function describeAlgorithmSwitch ({ from, to, at }: AlgorithmSwitch): string {
  const when = new Date(at).toISOString()
  return `SIGNING_ALG changed from ${from} to ${to}: the ${to} key is published now and signs from ${when} ` +
    `(KEY_PREPUBLISH); until then tokens are signed with ${from}`
}
