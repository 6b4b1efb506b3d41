import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { gcmOpen, gcmSeal } from '../../src/crypto/aes-gcm.js'

const KEY = randomBytes(32)
const AAD = Buffer.from('row')

describe('AES-256-GCM', () => {
  it('opens what node:crypto sealed with a 96-bit IV and a 128-bit tag (the successor seal\'s stored format)', () => {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', KEY, iv).setAAD(AAD)
    const ciphertext = Buffer.concat([cipher.update('clear'), cipher.final()])
    expect(gcmOpen(KEY, { iv, ciphertext, tag: cipher.getAuthTag() }, AAD)?.toString()).toBe('clear')
  })

  it('uses a fresh IV every time and opens only with the same additional data', () => {
    const one = gcmSeal(KEY, Buffer.from('clear'), AAD)
    expect(one.iv).toHaveLength(12)
    expect(one.tag).toHaveLength(16)
    expect(gcmSeal(KEY, Buffer.from('clear'), AAD).iv.equals(one.iv)).toBe(false)
    expect(gcmOpen(KEY, one, AAD)?.toString()).toBe('clear')
    expect(gcmOpen(KEY, one, Buffer.from('other row'))).toBeUndefined()
    expect(gcmOpen(randomBytes(32), one, AAD)).toBeUndefined()
  })

  it('refuses a truncated tag, which GCM alone would accept as a shorter one', () => {
    const seal = gcmSeal(KEY, Buffer.from('clear'), AAD)
    expect(gcmOpen(KEY, { ...seal, tag: seal.tag.subarray(0, 12) }, AAD)).toBeUndefined()
  })
})
