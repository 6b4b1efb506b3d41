import { isHelp } from './command-line.js'

export type SessionsCommand =
  | { command: 'list', userName: string, json: boolean }
  | { command: 'revoke', sid: string }
  | { command: 'help' }
  /** A command line that does not parse; `problem` says why (none when there was no command at all). */
  | { command: 'usage', problem?: string }

const LIST_USAGE = 'list takes a user: list --user <name> [--json]'
const REVOKE_USAGE = 'revoke takes one sid: revoke <sid>'

/**
 * Reads `sessions list --user <name> [--json]` and `sessions revoke <sid>`. The word after `--user` is
 * the name whatever it looks like (a name may start with "-"). A `--` just before or after the command
 * is skipped, as pnpm passes one (see `splitCommandLine`).
 */
export function parseSessionsArgs (argv: readonly string[]): SessionsCommand {
  const [command, ...afterCommand] = argv[0] === '--' ? argv.slice(1) : argv
  const rest = afterCommand[0] === '--' ? afterCommand.slice(1) : afterCommand
  switch (command) {
    case undefined:
      return { command: 'usage' }
    case 'list':
      return parseList(rest)
    case 'revoke': {
      const [sid] = rest
      if (rest.length !== 1 || sid === undefined) return { command: 'usage', problem: REVOKE_USAGE }
      return { command, sid }
    }
    default:
      if (isHelp(command)) return { command: 'help' }
      return { command: 'usage', problem: `unknown command "${command}": use list or revoke` }
  }
}

function parseList (words: readonly string[]): SessionsCommand {
  let userName: string | undefined
  let json = false
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    if (word === '--json') {
      json = true
    } else if (word === '--user' && userName === undefined && i + 1 < words.length) {
      userName = words[++i]
    } else {
      return { command: 'usage', problem: word === '--user' ? LIST_USAGE : `${LIST_USAGE}; unexpected "${word}"` }
    }
  }
  if (userName === undefined) return { command: 'usage', problem: LIST_USAGE }
  return { command: 'list', userName, json }
}
