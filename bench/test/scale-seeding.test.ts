import { describe, expect, it } from 'vitest'
import { percentile } from '../src/scale/paced-load.js'
import {
  FAMILY_SIZE, familyClass, liveRefreshTokens, md5Uuid, refreshRow, refreshToken, sessionRow, sha256url
} from '../src/scale/seed-rows.js'

const NOW = 1_800_000_000_000

describe('the seeded rows', () => {
  it('stores only the hash of each refresh token, as the service does, and hands out live unused ones', () => {
    const tokens = liveRefreshTokens('s', 0, 4000, 50)
    expect(tokens).toHaveLength(50)
    for (const token of tokens) {
      const i = Array.from({ length: 4000 }, (_, n) => n).find((n) => refreshToken('s', n) === token) as number
      const [hash, , , , , issued, idle, expires, used, revoked] = refreshRow('s', i, 4000, 4000, { now: NOW })
      expect(hash).toBe(sha256url(token))
      expect(i % FAMILY_SIZE).toBe(FAMILY_SIZE - 1)
      expect([used, revoked]).toEqual([null, null])
      expect(Math.min(idle, expires)).toBeGreaterThan(NOW)
      expect(issued).toBeLessThan(NOW)
    }
  })

  it('makes 2 families in 10 expired and 1 revoked, and 2 sessions in 10 expired and 1 ended', () => {
    const fates = Array.from({ length: 1000 }, (_, f) => familyClass(f))
    expect(fates.filter((fate) => fate === 'expired')).toHaveLength(200)
    expect(fates.filter((fate) => fate === 'revoked')).toHaveLength(100)
    const sessions = Array.from({ length: 1000 }, (_, j) => sessionRow('s', j, 1000, { now: NOW }))
    expect(sessions.filter((row) => row[6] <= NOW)).toHaveLength(200)
    expect(sessions.filter((row) => row[7] !== null)).toHaveLength(100)
  })

  it('prints UUIDs as PostgreSQL prints md5(text)::uuid', () => {
    // md5('a') = 0cc175b9c0f1b6a831c399e269772661
    expect(md5Uuid('a')).toBe('0cc175b9-c0f1-b6a8-31c3-99e269772661')
  })

  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect([percentile(values, 50), percentile(values, 99), percentile([3], 99)]).toEqual([50, 99, 3])
    expect(percentile([], 50)).toBeNaN()
  })
})
