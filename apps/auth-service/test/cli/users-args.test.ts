import { describe, expect, it } from 'vitest'
import { parseUsersArgs } from '../../src/cli/users-args.js'

const ADD_USAGE = 'add takes a user name and a role: add [--init] <name> <role>'

describe('users CLI arguments', () => {
  it.each<[string[], ReturnType<typeof parseUsersArgs>]>([
    [['add', 'alice', 'read'], { command: 'add', userName: 'alice', role: 'read', init: false }],
    [['add', 'Jane Doe', 'write'], { command: 'add', userName: 'Jane Doe', role: 'write', init: false }],
    [['add', '--init', 'alice', 'read'], { command: 'add', userName: 'alice', role: 'read', init: true }],
    [['add', 'alice', 'read', '--init'], { command: 'add', userName: 'alice', role: 'read', init: true }],
    // A name may start with "-": only the exact option words are options.
    [['add', '-bob', 'read'], { command: 'add', userName: '-bob', role: 'read', init: false }],
    [['add', '--bob', 'read'], { command: 'add', userName: '--bob', role: 'read', init: false }],
    [['add', '--', '--', '--init', 'read'], { command: 'add', userName: '--init', role: 'read', init: false }],
    [['add', '--init', '--', '--init', 'read'], { command: 'add', userName: '--init', role: 'read', init: true }],
    // As `pnpm run user:add -- ...` passes them.
    [['--', 'add', 'alice', 'read'], { command: 'add', userName: 'alice', role: 'read', init: false }],
    [['add', '--', 'alice', 'read'], { command: 'add', userName: 'alice', role: 'read', init: false }],
    // That `--` is not the end of the options, as for the clients CLI.
    [['add', '--', '--init', 'alice', 'read'], { command: 'add', userName: 'alice', role: 'read', init: true }],
    [['list', '--', '--json'], { command: 'list', json: true }],
    // An empty name parses; the user-name policy refuses it.
    [['add', '', 'read'], { command: 'add', userName: '', role: 'read', init: false }],
    [['list'], { command: 'list', json: false }],
    [['list', '--json'], { command: 'list', json: true }],
    [['remove', 'alice'], { command: 'remove', userName: 'alice' }],
    [['remove', '-bob'], { command: 'remove', userName: '-bob' }],
    [['remove', '--json'], { command: 'remove', userName: '--json' }],
    [['remove', ' legacy name '], { command: 'remove', userName: ' legacy name ' }],
    [['passwd', 'alice'], { command: 'passwd', userName: 'alice' }],
    [['passwd', '--', '--init'], { command: 'passwd', userName: '--init' }],
    [['revoke-tokens', 'alice'], { command: 'revoke-tokens', userName: 'alice' }],
    [['revoke-tokens', 'Jane Doe'], { command: 'revoke-tokens', userName: 'Jane Doe' }],
    [['--', 'revoke-tokens', '--', '-bob'], { command: 'revoke-tokens', userName: '-bob' }],
    [['help'], { command: 'help' }],
    [['--help'], { command: 'help' }],
    [['-h'], { command: 'help' }],
    [[], { command: 'usage' }],
    [['add'], { command: 'usage', problem: ADD_USAGE }],
    [['add', 'alice'], { command: 'usage', problem: ADD_USAGE }],
    [['add', '--init', 'alice'], { command: 'usage', problem: ADD_USAGE }],
    [['add', 'alice', 'read', 'extra'], { command: 'usage', problem: ADD_USAGE }],
    [['add', 'alice', 'admin'], { command: 'usage', problem: 'unknown role "admin": use read or write' }],
    [['add', 'alice', 'READ'], { command: 'usage', problem: 'unknown role "READ": use read or write' }],
    [['add', 'alice', 'read', '--json'], { command: 'usage', problem: ADD_USAGE }],
    [['list', 'alice'], { command: 'usage', problem: 'list takes no arguments but --json, got "alice"' }],
    [['list', '--init'], { command: 'usage', problem: 'list takes no arguments but --json, got "--init"' }],
    [['remove'], { command: 'usage', problem: 'remove takes one user name: remove <name>' }],
    [['remove', 'a', 'b'], { command: 'usage', problem: 'remove takes one user name: remove <name>' }],
    [['passwd'], { command: 'usage', problem: 'passwd takes one user name: passwd <name>' }],
    [['passwd', 'alice', 'newpassword'], { command: 'usage', problem: 'passwd takes one user name: passwd <name>' }],
    [['revoke-tokens'], { command: 'usage', problem: 'revoke-tokens takes one user name: revoke-tokens <name>' }],
    [['revoke-tokens', 'a', 'b'], { command: 'usage', problem: 'revoke-tokens takes one user name: revoke-tokens <name>' }],
    [['delete', 'alice'], { command: 'usage', problem: 'unknown command "delete": use add, list, remove, passwd or revoke-tokens' }],
    [['Add', 'alice', 'read'], { command: 'usage', problem: 'unknown command "Add": use add, list, remove, passwd or revoke-tokens' }]
  ])('reads %j', (argv, expected) => {
    expect(parseUsersArgs(argv)).toEqual(expected)
  })
})
