import { isHelp, splitCommandLine } from './command-line.js'

export type KeysCommand =
  | { command: 'list', json: boolean }
  | { command: 'events', json: boolean }
  | { command: 'rotate' }
  | { command: 'revoke', kid: string }
  | { command: 'reseal' }
  | { command: 'help' }
  /** A command line that does not parse; `problem` says why (none when there was no command at all). */
  | { command: 'usage', problem?: string }

/** The commands that take `--json`. */
const JSON_COMMANDS = new Set(['list', 'events'])

/** Reads `keys <command> [...]`; a kid may start with `-` (see `splitCommandLine`). */
export function parseKeysArgs (argv: readonly string[]): KeysCommand {
  const { command, options, operands } = splitCommandLine(argv, (name) => (JSON_COMMANDS.has(name) ? ['--json'] : []))
  const [first] = operands
  switch (command) {
    case undefined:
      return { command: 'usage' }
    case 'list':
      if (first !== undefined) {
        return { command: 'usage', problem: `list takes no arguments but --json, got "${first}"` }
      }
      return { command, json: options.has('--json') }
    case 'events':
      if (first !== undefined) {
        return { command: 'usage', problem: `events takes no arguments but --json, got "${first}"` }
      }
      return { command, json: options.has('--json') }
    case 'rotate':
      if (first !== undefined) return { command: 'usage', problem: `rotate takes no arguments, got "${first}"` }
      return { command }
    case 'reseal':
      if (first !== undefined) return { command: 'usage', problem: `reseal takes no arguments, got "${first}"` }
      return { command }
    case 'revoke':
      if (operands.length !== 1 || !first) {
        return { command: 'usage', problem: 'revoke takes one kid: revoke [--] <kid>' }
      }
      return { command, kid: first }
    default:
      if (isHelp(command)) return { command: 'help' }
      return { command: 'usage', problem: `unknown command "${command}": use list, events, rotate, revoke or reseal` }
  }
}
