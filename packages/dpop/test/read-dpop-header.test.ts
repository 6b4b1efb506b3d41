import { describe, expect, it } from 'vitest'
import { readDpopHeader } from '../src/read-dpop-header.js'

describe('readDpopHeader (§4.3 check 1: exactly one)', () => {
  it('reads one compact JWS', () => {
    expect(readDpopHeader({ dpop: 'aGVhZA.Ym9keQ.c2ln' })).toBe('aGVhZA.Ym9keQ.c2ln')
  })

  it.each([
    [{}, 'missing'],
    [{ dpop: 'a.b.c, d.e.f' }, 'multiple'],
    [{ dpop: ['a.b.c', 'd.e.f'] }, 'multiple'],
    [{ dpop: 'a.b' }, 'malformed'],
    [{ dpop: 'a.b.c d' }, 'malformed'],
    [{ dpop: `${'a'.repeat(8190)}.b.c` }, 'malformed']
  ])('refuses %j: %s', (headers, problem) => {
    expect(readDpopHeader(headers)).toMatchObject({ problem })
  })
})
