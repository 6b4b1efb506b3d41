import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createNonceSource } from '../src/nonce.js'

const PERIOD = 300_000

describe('createNonceSource', () => {
  it('accepts the current nonce and the one before it, on any replica with the same secret', () => {
    const secret = randomBytes(32)
    let now = Date.parse('2030-01-01T00:00:00Z')
    const replicaA = createNonceSource({ secret, periodMs: PERIOD, now: () => now })
    const replicaB = createNonceSource({ secret, periodMs: PERIOD, now: () => now })
    const first = replicaA.current()
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(replicaB.isValid(first)).toBe(true)
    now += PERIOD
    expect(replicaB.current()).not.toBe(first)
    expect(replicaB.isValid(first)).toBe(true)
    now += PERIOD
    expect(replicaA.isValid(first)).toBe(false)
  })

  it('refuses a nonce made with another secret, or made up', () => {
    const now = () => Date.parse('2030-01-01T00:00:00Z')
    const ours = createNonceSource({ secret: randomBytes(32), periodMs: PERIOD, now })
    const theirs = createNonceSource({ secret: randomBytes(32), periodMs: PERIOD, now })
    expect(ours.isValid(theirs.current())).toBe(false)
    expect(ours.isValid('made-up')).toBe(false)
    expect(ours.isValid('')).toBe(false)
  })

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => createNonceSource({ secret: randomBytes(16), periodMs: PERIOD, now: Date.now }))
      .toThrow('a DPoP nonce secret must be at least 32 bytes')
  })
})
