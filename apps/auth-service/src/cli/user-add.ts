import { text } from 'node:stream/consumers'
import { ROLES, type Role } from '@repo/contracts/scopes'
import { openAuthDatabase } from '../db/open-auth-database.js'
import { DuplicateUserError, UserStore } from '../users/user-store.js'

const USAGE = `usage: user-add <userName> <role> < password-file
  role: ${ROLES.join(' | ')}
  The password is read from standard input (first line), never from the command line,
  so it stays out of shell history and process listings.
  DATA_DIR selects the database (default ./data).`

async function main (): Promise<number> {
  // Positional only, read as given: a user name may start with "-". A leading "--" is skipped.
  const argv = process.argv.slice(2)
  const [userName, role, extra] = argv[0] === '--' ? argv.slice(1) : argv
  if (!userName || !role || extra !== undefined || !(ROLES as readonly string[]).includes(role)) {
    console.error(USAGE)
    return 2
  }
  if (process.stdin.isTTY) process.stderr.write('password (end with Enter, then Ctrl-D): ')
  const password = (await text(process.stdin)).split(/\r?\n/)[0] ?? ''
  if (password.length === 0 || password.length > 1024) {
    console.error('user-add: the password must be 1 to 1024 characters')
    return 2
  }
  const db = openAuthDatabase(process.env.DATA_DIR ?? './data')
  try {
    const user = await new UserStore(db).add(userName, password, role as Role)
    console.log(`added user "${user.userName}" with role ${user.role} (sub ${user.id})`)
    return 0
  } catch (error) {
    if (error instanceof DuplicateUserError) {
      console.error(`user-add: ${error.message}`)
      return 1
    }
    throw error
  } finally {
    db.close()
  }
}

process.exitCode = await main()
