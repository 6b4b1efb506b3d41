#!/usr/bin/env node
import { ROLES } from '@repo/contracts/scopes'
import { NEW_PASSWORD_MIN_LENGTH, USER_NAME_MAX_LENGTH } from '@repo/contracts/users'
import { UserStore } from '../users/user-store.js'
import { CliError, INTERRUPTED } from './cli-error.js'
import { cliRevocations } from './cli-revocations.js'
import { InputAborted } from './read-secret.js'
import { runCommand } from './run-command.js'
import { parseUsersArgs } from './users-args.js'
import {
  addUser, changePassword, listUsers, removeUser, revokeTokens, type UsersContext
} from './users-commands.js'

const USAGE = `usage: users <command>
  add [--init] <name> <role>  add a user; role: ${ROLES.join(' | ')}
  list [--json]               every user with role, creation time and sub (never a password hash)
  remove <name>               delete a user (names are matched exactly), ending its sessions
  passwd <name>               set a new password, ending the user's sessions and refresh tokens
  revoke-tokens <name>        end every session and refresh token of the user
Removal, passwd and revoke-tokens tell the Shared Signals receivers (consumers with a stream), which then
refuse the user's access tokens issued before within seconds; others accept them until they expire.
A name is 1 to ${USER_NAME_MAX_LENGTH} printable ASCII characters, single spaces allowed between words, unique
regardless of case. A name starting with "-" works as it is; put "--" before one that is also an option.
Passwords (at least ${NEW_PASSWORD_MIN_LENGTH} characters) are never taken from the command line: at a terminal
they are typed twice without echo, from a pipe the first line is read.
Works on the service's database (DATABASE_URL, else DATA_DIR, default ./data), also while it runs. A SQLite
database must exist (the service creates it on first start); "add --init" creates it on purpose.`

await runCommand({
  name: 'users',
  usage: USAGE,
  parse: parseUsersArgs,
  database: (args) => ({
    create: args.command === 'add' && args.init,
    hint: args.command === 'add' ? 'or pass --init to create one' : 'or start the service once to create one'
  }),
  async run ({ config, db }, args) {
    const context: UsersContext = {
      store: new UserStore(db),
      input: process.stdin,
      prompts: process.stderr,
      print: (line) => console.log(line),
      tokenTtlSeconds: config.tokenTtlSeconds,
      revocations: cliRevocations(config, db),
      now: Date.now
    }
    try {
      switch (args.command) {
        case 'add': await addUser(context, args.userName, args.role); break
        case 'list': await listUsers(context, args.json); break
        case 'remove': await removeUser(context, args.userName); break
        case 'passwd': await changePassword(context, args.userName); break
        case 'revoke-tokens': await revokeTokens(context, args.userName); break
      }
      return 0
    } catch (error) {
      // Ctrl-C at a password prompt.
      if (error instanceof InputAborted) throw new CliError(`${error.message}; nothing was changed`, INTERRUPTED)
      throw error
    }
  }
})
