import { describe, expect, it } from 'vitest'
import { parseSessionsArgs } from '../../src/cli/sessions-args.js'

const LIST_USAGE = 'list takes a user: list --user <name> [--json]'
const REVOKE_USAGE = 'revoke takes one sid: revoke <sid>'

describe('sessions CLI arguments', () => {
  it.each<[string[], ReturnType<typeof parseSessionsArgs>]>([
    [['list', '--user', 'alice'], { command: 'list', userName: 'alice', json: false }],
    [['list', '--user', 'Jane Doe', '--json'], { command: 'list', userName: 'Jane Doe', json: true }],
    [['list', '--json', '--user', 'alice'], { command: 'list', userName: 'alice', json: true }],
    // The word after --user is the name, whatever it looks like.
    [['list', '--user', '-bob'], { command: 'list', userName: '-bob', json: false }],
    [['list', '--user', '--json'], { command: 'list', userName: '--json', json: false }],
    // As `pnpm sessions:list -- --user alice` passes them.
    [['--', 'list', '--user', 'alice'], { command: 'list', userName: 'alice', json: false }],
    [['list', '--', '--user', 'alice'], { command: 'list', userName: 'alice', json: false }],
    [['revoke', '5f0a2b8c-0000-4000-8000-000000000000'], { command: 'revoke', sid: '5f0a2b8c-0000-4000-8000-000000000000' }],
    [['revoke', '--', '-x'], { command: 'revoke', sid: '-x' }],
    [['help'], { command: 'help' }],
    [['--help'], { command: 'help' }],
    [[], { command: 'usage' }],
    [['list'], { command: 'usage', problem: LIST_USAGE }],
    [['list', '--json'], { command: 'usage', problem: LIST_USAGE }],
    [['list', '--user'], { command: 'usage', problem: LIST_USAGE }],
    [['list', 'alice'], { command: 'usage', problem: `${LIST_USAGE}; unexpected "alice"` }],
    [['list', '--user', 'alice', 'bob'], { command: 'usage', problem: `${LIST_USAGE}; unexpected "bob"` }],
    [['list', '--user', 'alice', '--user', 'bob'], { command: 'usage', problem: LIST_USAGE }],
    [['revoke'], { command: 'usage', problem: REVOKE_USAGE }],
    [['revoke', 'a', 'b'], { command: 'usage', problem: REVOKE_USAGE }],
    [['end', 'sid'], { command: 'usage', problem: 'unknown command "end": use list or revoke' }]
  ])('reads %j', (argv, expected) => {
    expect(parseSessionsArgs(argv)).toEqual(expected)
  })
})
