import { describe, expect, it } from 'vitest'
import { parseKeysArgs } from '../../src/cli/keys-args.js'

describe('keys CLI arguments', () => {
  it.each<[string[], ReturnType<typeof parseKeysArgs>]>([
    [['list'], { command: 'list', json: false }],
    [['list', '--json'], { command: 'list', json: true }],
    [['rotate'], { command: 'rotate' }],
    [['revoke', 'ny6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE'], { command: 'revoke', kid: 'ny6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE' }],
    // One thumbprint in 64 starts with "-": it is a kid, not an option.
    [['revoke', '-y6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE'], { command: 'revoke', kid: '-y6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE' }],
    [['revoke', '--', '-y6lSRJR64zLlfcANqp'], { command: 'revoke', kid: '-y6lSRJR64zLlfcANqp' }],
    [['--', 'revoke', '-y6lSRJR64zLlfcANqp'], { command: 'revoke', kid: '-y6lSRJR64zLlfcANqp' }],
    [[], { command: 'usage' }],
    [['revoke'], { command: 'usage' }],
    [['revoke', 'a', 'b'], { command: 'usage' }],
    [['rotate', 'now'], { command: 'usage' }],
    [['list', '--yaml'], { command: 'usage' }],
    [['delete', 'x'], { command: 'usage' }]
  ])('reads %j', (argv, expected) => {
    expect(parseKeysArgs(argv)).toEqual(expected)
  })
})
