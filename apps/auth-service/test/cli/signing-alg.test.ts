import { describe, expect, it } from 'vitest'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { currentSigningAlg, rotationAlg, switchingToAlg } from '../../src/cli/signing-alg.js'
import type { KeyState, StoredKey } from '../../src/keys/key-store.js'

function key (alg: SigningAlgorithm, state: KeyState, activatedAt: number | null): StoredKey {
  const none = { privateKey: null, activatesAt: null, retiringAt: null, retiresAt: null, retiredAt: null, revokedAt: null }
  return { ...none, kid: `${alg}-${state}-${activatedAt}`, alg, state, publicJwk: {} as StoredKey['publicJwk'], createdAt: 0, activatedAt }
}

describe('currentSigningAlg', () => {
  it.each<[string, StoredKey[], SigningAlgorithm | undefined]>([
    ['no key at all', [], undefined],
    ['the active key', [key('ES256', 'active', 1)], 'ES256'],
    ['the active key, not a next key of another algorithm', [key('RS256', 'next', null), key('ES256', 'active', 1)], 'ES256'],
    ['the active key, not a retiring one', [key('RS256', 'retiring', 1), key('EdDSA', 'active', 2)], 'EdDSA'],
    ['the one activated last, during a switch', [key('ES256', 'active', 2), key('RS256', 'active', 1)], 'ES256'],
    ['the one activated last, in any order', [key('RS256', 'active', 1), key('EdDSA', 'active', 3)], 'EdDSA'],
    ['none when no key is active', [key('RS256', 'retired', 1), key('ES256', 'next', null)], undefined]
  ])('reads %s', (_case, keys, expected) => {
    expect(currentSigningAlg(keys)).toBe(expected)
  })
})

describe('rotationAlg', () => {
  it.each<[SigningAlgorithm, SigningAlgorithm | undefined]>([
    ['ES256', undefined],
    ['ES256', 'ES256'],
    ['RS256', undefined]
  ])('rotates %s keys when SIGNING_ALG is %s', (current, requested) => {
    expect(rotationAlg(current, requested)).toBe(current)
  })

  it('refuses a SIGNING_ALG that differs from the database, naming both', () => {
    expect(() => rotationAlg('ES256', 'RS256')).toThrow(
      'SIGNING_ALG is RS256 here, but the service signs with ES256 (the active key in the database): unset SIGNING_ALG, or set it to ES256')
  })

  it('accepts the SIGNING_ALG a change of algorithm under way goes to, and still rotates the database\'s', () => {
    expect(rotationAlg('RS256', 'ES256', 'ES256')).toBe('RS256')
    expect(() => rotationAlg('RS256', 'EdDSA', 'ES256')).toThrow('SIGNING_ALG is EdDSA here, but the service signs with RS256')
  })

  it.each<[SigningAlgorithm | undefined]>([[undefined], ['RS256']])('refuses a database without an active key (SIGNING_ALG %s)', (requested) => {
    expect(() => rotationAlg(undefined, requested)).toThrow(
      'the database has no active signing key to rotate: start the service once first (it creates one)')
  })
})

describe('switchingToAlg', () => {
  it.each<[string, StoredKey[], SigningAlgorithm | undefined]>([
    ['no switch: a next key of the signing algorithm', [key('ES256', 'active', 1), key('ES256', 'next', null)], undefined],
    ['the next key\'s algorithm when it differs', [key('RS256', 'active', 1), key('ES256', 'next', null)], 'ES256'],
    ['nothing without a next key', [key('RS256', 'active', 1)], undefined]
  ])('reads %s', (_case, keys, expected) => {
    expect(switchingToAlg(keys)).toBe(expected)
  })
})
