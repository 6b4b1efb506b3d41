import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openSuccessor, sealSuccessor } from '../../src/tokens/successor-seal.js'

const PARENT = randomBytes(32).toString('base64url')
const PARENT_HASH = 'parent-hash'
const SUCCESSOR = randomBytes(32).toString('base64url')

describe('successor seal', () => {
  const sealed = sealSuccessor(PARENT, PARENT_HASH, SUCCESSOR)

  it('opens with the parent token it was sealed with, and only with it', () => {
    expect(openSuccessor(PARENT, PARENT_HASH, sealed)).toBe(SUCCESSOR)
    expect(openSuccessor(randomBytes(32).toString('base64url'), PARENT_HASH, sealed)).toBeUndefined()
    expect(sealed).not.toContain(SUCCESSOR)
  })

  it('opens only for the row it was sealed for', () => {
    expect(openSuccessor(PARENT, 'another-hash', sealed)).toBeUndefined()
  })

  it.each([
    ['a changed ciphertext', (seal: string) => seal.replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`)],
    ['a truncated tag', (seal: string) => seal.slice(0, -2)],
    ['a missing part', (seal: string) => seal.split('.').slice(0, 2).join('.')],
    ['an extra part', (seal: string) => `${seal}.AAAA`],
    ['garbage', () => 'not a seal']
  ])('refuses %s', (_, alter) => {
    expect(openSuccessor(PARENT, PARENT_HASH, alter(sealed))).toBeUndefined()
  })

  it('seals the same successor differently each time (a fresh IV)', () => {
    expect(sealSuccessor(PARENT, PARENT_HASH, SUCCESSOR)).not.toBe(sealed)
  })
})
