import { describe, expect, it } from 'vitest'
import { VerifiedTokens } from '../../src/auth/verified-tokens.js'

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg'
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Every token one edit away from `token`: each character replaced, removed or doubled, and one more at either end. */
function oneEditAway (token: string): string[] {
  const variants = new Set<string>()
  for (let i = 0; i < token.length; i++) {
    for (const c of `${BASE64URL}.`) variants.add(`${token.slice(0, i)}${c}${token.slice(i + 1)}`)
    variants.add(`${token.slice(0, i)}${token.slice(i + 1)}`)
    variants.add(`${token.slice(0, i + 1)}${token.slice(i)}`)
  }
  for (const c of `${BASE64URL}.`) variants.add(`${c}${token}`).add(`${token}${c}`)
  variants.delete(token)
  return [...variants]
}

/** Stores `value` for `token`: a token is kept the second time it is verified. */
function store<T> (cache: VerifiedTokens<T>, token: string, value: T, notBefore: number, expiresAt: number) {
  cache.set(token, value, notBefore, expiresAt)
  cache.set(token, value, notBefore, expiresAt)
}

describe('VerifiedTokens', () => {
  it('answers for exactly the token stored, and for no token that differs from it in any character', () => {
    const cache = new VerifiedTokens<string>(10)
    store(cache, TOKEN, 'claims', 0, 2000)
    // A copy built at run time, so the lookup compares contents, not the same string object.
    expect(cache.get([...TOKEN].join(''), 1000)).toBe('claims')
    const variants = oneEditAway(TOKEN)
    expect(variants.length).toBeGreaterThan(TOKEN.length * 60)
    for (const variant of variants) expect(cache.get(variant, 1000), variant).toBeUndefined()
    expect(cache.get(TOKEN.toLowerCase(), 1000)).toBeUndefined()
    expect(cache.get(`Bearer ${TOKEN}`, 1000)).toBeUndefined()
  })

  it('never answers for another token with the same signature ending; storing that one displaces the first', () => {
    const cache = new VerifiedTokens<string>(10)
    const other = `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.b3RoZXI${TOKEN.slice(-12)}`
    store(cache, TOKEN, 'user-1', 0, 2000)
    expect(cache.get(other, 1000)).toBeUndefined()
    store(cache, other, 'admin', 0, 2000)
    expect(cache.get(other, 1000)).toBe('admin')
    expect(cache.get(TOKEN, 1000)).toBeUndefined()
  })

  it('keeps a token the second time it is verified, not the first', () => {
    const cache = new VerifiedTokens<string>(10)
    cache.set(TOKEN, 'claims', 0, 2000)
    expect(cache.size).toBe(0)
    expect(cache.get(TOKEN, 1000)).toBeUndefined()
    cache.set(TOKEN, 'claims', 0, 2000)
    expect(cache.get(TOKEN, 1000)).toBe('claims')
  })

  it('remembers a token verified once only among the last maxEntries of them', () => {
    const cache = new VerifiedTokens<number>(3)
    cache.set(TOKEN, 0, 0, 10)
    for (const n of [1, 2, 3]) cache.set(`${TOKEN}${n}`.padEnd(100, `${n}`), n, 0, 10)
    cache.set(TOKEN, 0, 0, 10)
    expect(cache.get(TOKEN, 5)).toBeUndefined()
    cache.set(TOKEN, 0, 0, 10)
    expect(cache.get(TOKEN, 5)).toBe(0)
  })

  it('counts only the tokens still verified once among the last maxEntries, however many came before', () => {
    const cache = new VerifiedTokens<number>(3)
    const token = (n: number) => `${TOKEN}${n}`.padEnd(100, `${n}`)
    // Thousands of tokens seen once each, then one stored: none of them pushes out what came after.
    for (let n = 10; n < 5000; n++) cache.set(token(n), n, 0, 10)
    store(cache, token(1), 1, 0, 10)
    for (const n of [2, 3, 4]) cache.set(token(n), n, 0, 10)
    cache.set(token(2), 2, 0, 10)
    expect(cache.get(token(2), 5)).toBe(2)
    // Three more seen once: 3 and 4 are the oldest now, and forgotten.
    for (const n of [5, 6, 7]) cache.set(token(n), n, 0, 10)
    for (const n of [3, 4]) cache.set(token(n), n, 0, 10)
    expect([cache.get(token(3), 5), cache.get(token(4), 5)]).toEqual([undefined, undefined])
    expect(cache.get(token(1), 5)).toBe(1)
  })

  it('answers from notBefore to expiresAt, both included, and forgets an entry once it has expired', () => {
    const cache = new VerifiedTokens<string>(10)
    store(cache, TOKEN, 'claims', 1000, 2000)
    expect(cache.get(TOKEN, 999)).toBeUndefined()
    expect(cache.get(TOKEN, 1000)).toBe('claims')
    expect(cache.get(TOKEN, 2000)).toBe('claims')
    expect(cache.get(TOKEN, 2001)).toBeUndefined()
    expect(cache.size).toBe(0)
    expect(cache.get(TOKEN, 1500)).toBeUndefined()
  })

  it('keeps at most maxEntries tokens, evicting the least recently used', () => {
    const cache = new VerifiedTokens<number>(3)
    const token = (n: number) => `${TOKEN}.${String(n).padStart(12, '0')}`
    for (const n of [1, 2, 3]) store(cache, token(n), n, 0, 10)
    expect(cache.get(token(1), 5)).toBe(1)
    store(cache, token(4), 4, 0, 10)
    expect(cache.size).toBe(3)
    expect(cache.get(token(2), 5)).toBeUndefined()
    expect([1, 3, 4].map((n) => cache.get(token(n), 5))).toEqual([1, 3, 4])
    for (let n = 5; n < 1000; n++) store(cache, token(n), n, 0, 10)
    expect(cache.size).toBe(3)
  })

  it('moves a token used again behind the others only once half the cache was stored after it', () => {
    const cache = new VerifiedTokens<number>(4)
    const token = (n: number) => `${TOKEN}.${String(n).padStart(12, '0')}`
    for (const n of [1, 2]) store(cache, token(n), n, 0, 10)
    expect(cache.get(token(1), 5)).toBe(1)
    for (const n of [3, 4, 5]) store(cache, token(n), n, 0, 10)
    expect(cache.get(token(1), 5)).toBeUndefined()
    expect(cache.get(token(2), 5)).toBe(2)
    store(cache, token(6), 6, 0, 10)
    expect([2, 3, 4, 5, 6].map((n) => cache.get(token(n), 5))).toEqual([2, undefined, 4, 5, 6])
  })

  it('replaces the entry of a token stored again, with its new bounds', () => {
    const cache = new VerifiedTokens<string>(2)
    store(cache, TOKEN, 'first', 0, 10)
    cache.set(TOKEN, 'second', 0, 20)
    expect(cache.size).toBe(1)
    expect(cache.get(TOKEN, 15)).toBe('second')
  })

  it('stores nothing when turned off (no entries), or when the bounds leave no time at all', () => {
    const off = new VerifiedTokens<string>(0)
    store(off, TOKEN, 'claims', 0, 10)
    expect(off.size).toBe(0)
    expect(off.get(TOKEN, 5)).toBeUndefined()
    const on = new VerifiedTokens<string>(10)
    store(on, TOKEN, 'claims', 10, 9)
    expect(on.size).toBe(0)
  })
})
