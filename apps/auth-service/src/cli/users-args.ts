import { ROLES, type Role } from '@repo/contracts/scopes'
import { isHelp, splitCommandLine } from './command-line.js'

export type UsersCommand =
  | { command: 'add', userName: string, role: Role, init: boolean }
  | { command: 'list', json: boolean }
  | { command: 'remove', userName: string }
  | { command: 'passwd', userName: string }
  | { command: 'revoke-tokens', userName: string }
  | { command: 'help' }
  /** A command line that does not parse; `problem` says why (none when there was no command at all). */
  | { command: 'usage', problem?: string }

const OPTIONS: Readonly<Record<string, readonly string[]>> = { add: ['--init'], list: ['--json'] }

const isRole = (word: string): word is Role => (ROLES as readonly string[]).includes(word)

/** Reads `users <command> [...]`; see `splitCommandLine` for options against operands. */
export function parseUsersArgs (argv: readonly string[]): UsersCommand {
  const { command, options, operands } = splitCommandLine(argv, (name) => OPTIONS[name] ?? [])
  const [first, second] = operands
  switch (command) {
    case undefined:
      return { command: 'usage' }
    case 'add':
      if (operands.length !== 2 || first === undefined || second === undefined) {
        return { command: 'usage', problem: 'add takes a user name and a role: add [--init] <name> <role>' }
      }
      if (!isRole(second)) return { command: 'usage', problem: `unknown role "${second}": use ${ROLES.join(' or ')}` }
      return { command, userName: first, role: second, init: options.has('--init') }
    case 'list':
      if (first !== undefined) {
        return { command: 'usage', problem: `list takes no arguments but --json, got "${first}"` }
      }
      return { command, json: options.has('--json') }
    case 'remove':
    case 'passwd':
    case 'revoke-tokens':
      if (operands.length !== 1 || first === undefined) {
        return { command: 'usage', problem: `${command} takes one user name: ${command} <name>` }
      }
      return { command, userName: first }
    default:
      if (isHelp(command)) return { command: 'help' }
      return {
        command: 'usage', problem: `unknown command "${command}": use add, list, remove, passwd or revoke-tokens`
      }
  }
}
