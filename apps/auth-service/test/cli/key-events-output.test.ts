import { describe, expect, it } from 'vitest'
import { formatKeyEvents } from '../../src/cli/key-events-output.js'
import type { RecordedKeyEvent } from '../../src/keys/key-events.js'

const EVENTS: RecordedKeyEvent[] = [
  { event: 'key_created', kid: 'kid-a', alg: 'ES256', time: Date.UTC(2030, 0, 1), by: 'host/41' },
  { event: 'key_revoked', kid: 'kid-a', alg: 'ES256', time: Date.UTC(2030, 0, 1, 0, 0, 1, 500), by: 'keys-cli:host/42' }
]

describe('keys events output', () => {
  it('prints a table, oldest first', () => {
    expect(formatKeyEvents(EVENTS, false)).toEqual([
      'time                      event        kid    alg    by',
      '2030-01-01T00:00:00Z      key_created  kid-a  ES256  host/41',
      '2030-01-01T00:00:01.500Z  key_revoked  kid-a  ES256  keys-cli:host/42'
    ])
  })

  it('prints JSON objects with event, kid, alg, time and by', () => {
    expect(JSON.parse(formatKeyEvents(EVENTS, true).join('\n'))).toEqual(EVENTS)
    expect(formatKeyEvents([], true)).toEqual(['[]'])
  })
})
