#!/usr/bin/env node
import { USER_NAME_MAX_LENGTH } from '@repo/contracts/users'
import { UserStore } from '../users/user-store.js'
import { cliRevocations } from './cli-revocations.js'
import { runCommand } from './run-command.js'
import { parseSessionsArgs } from './sessions-args.js'
import { listSessions, revokeSession, type SessionsContext } from './sessions-commands.js'

const USAGE = `usage: sessions <command>
  list --user <name> [--json]  the user's browser sessions: sid, login time, last seen, expiry, state
                               (live, ended: logged out or revoked, expired: timed out)
  revoke <sid>                 end a session and revoke its refresh tokens
A revocation tells the Shared Signals receivers (consumers with a stream), which then refuse the
session's access tokens within seconds; others accept them until they expire. Names (1 to
${USER_NAME_MAX_LENGTH} characters) are matched exactly. Works on the service's database (DATABASE_URL, else
DATA_DIR, default ./data), also while it runs.`

await runCommand({
  name: 'sessions',
  usage: USAGE,
  parse: parseSessionsArgs,
  database: () => ({ hint: 'or start the service once to create one' }),
  async run ({ config, db }, args) {
    const context: SessionsContext = {
      users: new UserStore(db),
      revocations: cliRevocations(config, db),
      print: (line) => console.log(line),
      now: Date.now,
      tokenTtlSeconds: config.tokenTtlSeconds
    }
    switch (args.command) {
      case 'list': await listSessions(context, args.userName, args.json); break
      case 'revoke': await revokeSession(context, args.sid); break
    }
    return 0
  }
})
