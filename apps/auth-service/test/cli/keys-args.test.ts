import { describe, expect, it } from 'vitest'
import { parseKeysArgs } from '../../src/cli/keys-args.js'

const KID = 'ny6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE'
// One thumbprint in 64 starts with "-": it is a kid, not an option.
const DASH_KID = '-y6lSRJR64zLlfcANqp-djLiPsmbHJ8G49yZfabFUAE'

describe('keys CLI arguments', () => {
  it.each<[string[], ReturnType<typeof parseKeysArgs>]>([
    [['list'], { command: 'list', json: false }],
    [['list', '--json'], { command: 'list', json: true }],
    [['--', 'list', '--json'], { command: 'list', json: true }],
    [['events'], { command: 'events', json: false }],
    [['events', '--json'], { command: 'events', json: true }],
    [['rotate'], { command: 'rotate' }],
    [['reseal'], { command: 'reseal' }],
    [['revoke', KID], { command: 'revoke', kid: KID }],
    [['revoke', DASH_KID], { command: 'revoke', kid: DASH_KID }],
    [['revoke', '--', DASH_KID], { command: 'revoke', kid: DASH_KID }],
    [['--', 'revoke', DASH_KID], { command: 'revoke', kid: DASH_KID }],
    // A `--` right after the command is the one pnpm passes on (`pnpm keys:list -- --json`): skipped, as
    // the clients CLI does. A second one ends the options.
    [['list', '--', '--json'], { command: 'list', json: true }],
    [['revoke', '--', '--', '--json'], { command: 'revoke', kid: '--json' }],
    [['help'], { command: 'help' }],
    [['--help'], { command: 'help' }],
    [['-h'], { command: 'help' }],
    [[], { command: 'usage' }],
    [['--'], { command: 'usage' }],
    [['revoke'], { command: 'usage', problem: 'revoke takes one kid: revoke [--] <kid>' }],
    [['revoke', ''], { command: 'usage', problem: 'revoke takes one kid: revoke [--] <kid>' }],
    [['revoke', 'a', 'b'], { command: 'usage', problem: 'revoke takes one kid: revoke [--] <kid>' }],
    [['rotate', 'now'], { command: 'usage', problem: 'rotate takes no arguments, got "now"' }],
    [['reseal', 'all'], { command: 'usage', problem: 'reseal takes no arguments, got "all"' }],
    [['list', '--yaml'], { command: 'usage', problem: 'list takes no arguments but --json, got "--yaml"' }],
    [['events', 'all'], { command: 'usage', problem: 'events takes no arguments but --json, got "all"' }],
    [['delete', 'x'], { command: 'usage', problem: 'unknown command "delete": use list, events, rotate, revoke or reseal' }]
  ])('reads %j', (argv, expected) => {
    expect(parseKeysArgs(argv)).toEqual(expected)
  })
})
