import { describe, expect, it } from 'vitest'
import { bearerChallenge } from '../src/bearer.js'

describe('bearerChallenge (RFC 6750 §3)', () => {
  it('names the realm, then each attribute, quoted', () => {
    expect(bearerChallenge('https://auth.example', { error: 'insufficient_scope', scope: 'openid' }))
      .toBe('Bearer realm="https://auth.example", error="insufficient_scope", scope="openid"')
  })

  it('is the bare scheme and realm without attributes (no token sent: §3.1 gives no error code)', () => {
    expect(bearerChallenge('r')).toBe('Bearer realm="r"')
  })

  it('drops the quote and backslash an attribute value may not hold, so no value can break out', () => {
    expect(bearerChallenge('a"b\\c', { error_description: 'x", error="forged' }))
      .toBe('Bearer realm="abc", error_description="x, error=forged"')
  })
})
