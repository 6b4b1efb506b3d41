import { describe, expect, it } from 'vitest'
import { bothKey, clientKey, NotBeforeStore, sessionKey, userKey } from '../../src/signals/not-before.js'
import { subjectKey } from '../../src/signals/subject-keys.js'

const ISSUER = 'https://auth.example.com'
const user = (sub: string, iss = ISSUER) => ({ format: 'iss_sub' as const, iss, sub })
const opaque = (id: string) => ({ format: 'opaque' as const, id })

describe('subjectKey', () => {
  it.each([
    ['a user', user('u1'), userKey('u1')],
    ['a session of a user', { format: 'complex' as const, user: user('u1'), session: opaque('s1') }, sessionKey('s1')],
    ['a session of a user at a client',
      { format: 'complex' as const, user: user('u1'), session: opaque('s1'), application: opaque('c1') },
      bothKey(sessionKey('s1'), 'c1')],
    ['a user at a client', { format: 'complex' as const, user: user('u1'), application: opaque('c1') },
      bothKey(userKey('u1'), 'c1')],
    ['a client', { format: 'complex' as const, application: opaque('c1') }, clientKey('c1')]
  ])('keys %s', (_name, subject, key) => {
    expect(subjectKey(subject, ISSUER)).toEqual({ key })
  })

  it.each([
    ['another issuer\'s user', user('u1', 'https://other.example.com')],
    ['another issuer\'s user in a complex subject', { format: 'complex' as const, user: user('u1', 'https://x.example') }],
    ['an opaque subject', opaque('x')],
    ['an empty complex subject', { format: 'complex' as const }]
  ])('names no key for %s', (_name, subject) => {
    expect(subjectKey(subject, ISSUER)).toHaveProperty('problem')
  })
})

describe('NotBeforeStore', () => {
  const NOW = 1_800_000_000
  const token = (claims: { iat: number, sub?: string, client_id?: string, sid?: string }) => claims

  it('refuses a token issued at or before the time of a key it matches, and no other', () => {
    const store = new NotBeforeStore({ retainSeconds: 3600, maxEntries: 1000 })
    store.revoke(sessionKey('s1'), NOW, NOW)
    expect(store.isRevoked(token({ iat: NOW - 1, sub: 'u1', sid: 's1' }))).toBe(true)
    expect(store.isRevoked(token({ iat: NOW, sub: 'u1', sid: 's1' }))).toBe(true)
    expect(store.isRevoked(token({ iat: NOW + 1, sub: 'u1', sid: 's1' }))).toBe(false)
    expect(store.isRevoked(token({ iat: NOW - 1, sub: 'u1', sid: 's2' }))).toBe(false)
    expect(store.isRevoked(token({ iat: NOW - 1, sub: 'u1' }))).toBe(false)
  })

  it.each([
    ['sub', userKey('u1'), { sub: 'u1', client_id: 'c9' }, { sub: 'u2', client_id: 'c9' }],
    ['client_id', clientKey('c1'), { sub: 'u9', client_id: 'c1' }, { sub: 'u9', client_id: 'c2' }],
    ['sub&client_id', bothKey(userKey('u1'), 'c1'), { sub: 'u1', client_id: 'c1' }, { sub: 'u1', client_id: 'c2' }],
    ['sid', sessionKey('s1'), { sub: 'u9', sid: 's1' }, { sub: 'u9', sid: 's2' }],
    ['sid&client_id', bothKey(sessionKey('s1'), 'c1'), { sid: 's1', client_id: 'c1' }, { sid: 's1', client_id: 'c2' }]
  ])('matches a token by %s', (_name, key, matching, other) => {
    const store = new NotBeforeStore({ retainSeconds: 3600, maxEntries: 1000 })
    store.revoke(key, NOW, NOW)
    expect(store.isRevoked({ iat: NOW, ...matching })).toBe(true)
    expect(store.isRevoked({ iat: NOW, ...other })).toBe(false)
  })

  it('keeps the latest time of a key: an older revocation never lowers it', () => {
    const store = new NotBeforeStore({ retainSeconds: 3600, maxEntries: 1000 })
    store.revoke(userKey('u1'), NOW, NOW)
    store.revoke(userKey('u1'), NOW - 100, NOW)
    expect(store.isRevoked({ iat: NOW - 50, sub: 'u1' })).toBe(true)
    store.revoke(userKey('u1'), NOW + 10, NOW)
    expect(store.isRevoked({ iat: NOW + 5, sub: 'u1' })).toBe(true)
    expect(store.size).toBe(1)
  })

  it('drops an entry once no token it could refuse can be valid, a raised one only after its new time', () => {
    const store = new NotBeforeStore({ retainSeconds: 100, maxEntries: 1000 })
    store.revoke(userKey('u1'), NOW, NOW)
    store.revoke(userKey('u2'), NOW, NOW)
    store.revoke(userKey('u2'), NOW + 50, NOW + 50)
    store.sweep(NOW + 99)
    expect(store.size).toBe(2)
    store.sweep(NOW + 100)
    expect(store.size).toBe(1)
    expect(store.isRevoked({ iat: NOW + 10, sub: 'u2' })).toBe(true)
    store.sweep(NOW + 150)
    expect(store.size).toBe(0)
  })

  it('past SSF_MAX_ENTRIES evicts the oldest entry into an issuer-wide floor: it only refuses more', () => {
    const store = new NotBeforeStore({ retainSeconds: 3600, maxEntries: 2 })
    expect(store.revoke(sessionKey('s1'), NOW - 30, NOW)).toBe(false)
    expect(store.revoke(sessionKey('s2'), NOW - 20, NOW)).toBe(false)
    expect(store.revoke(sessionKey('s3'), NOW - 10, NOW)).toBe(true)
    expect(store.size).toBe(2)
    expect(store.floor).toBe(NOW - 30)
    // s1's token stays refused (by the floor), and so is any token issued at or before it.
    expect(store.isRevoked({ iat: NOW - 31, sub: 'u1', sid: 's1' })).toBe(true)
    expect(store.isRevoked({ iat: NOW - 30, sub: 'anyone' })).toBe(true)
    expect(store.isRevoked({ iat: NOW - 29, sub: 'anyone' })).toBe(false)
    expect(store.isRevoked({ iat: NOW - 25, sid: 's2' })).toBe(true)
    // The floor goes when no token it could refuse can still be valid.
    store.sweep(NOW - 30 + 3600)
    expect(store.floor).toBeUndefined()
  })

  it('keeps its memory bounded by SSF_MAX_ENTRIES however many revocations arrive within the window', () => {
    const store = new NotBeforeStore({ retainSeconds: 3600, maxEntries: 100 })
    for (let index = 0; index < 10_000; index++) store.revoke(sessionKey(`s${index}`), NOW, NOW)
    expect(store.size).toBe(100)
    expect(store.isRevoked({ iat: NOW, sid: 'never-revoked' })).toBe(true)
    expect(store.isRevoked({ iat: NOW + 1, sid: 's9999' })).toBe(false)
  })

  it('stays bounded by its time window however many revocations pass through', () => {
    const store = new NotBeforeStore({ retainSeconds: 10, maxEntries: 1000 })
    for (let second = 0; second < 5000; second++) store.revoke(sessionKey(`s${second}`), NOW + second, NOW + second)
    expect(store.size).toBeLessThanOrEqual(11)
  })
})
