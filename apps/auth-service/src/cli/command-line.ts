/** `<command> [options and operands]`, split by `splitCommandLine`. */
export interface CommandLine {
  command: string | undefined
  /** The options given, each one of the command's known options. */
  options: Set<string>
  /** Everything else, in order. */
  operands: string[]
}

const HELP = new Set(['help', '--help', '-h'])
export const isHelp = (command: string | undefined) => command !== undefined && HELP.has(command)

/**
 * Reads `<command> [...]` by hand rather than with `util.parseArgs`, which takes any word starting
 * with `-` for an option: a user name (`-bob`) or a kid (one base64url thumbprint in 64) may start
 * with one. Here an option is only one of the exact words `optionsOf(command)` lists; every other
 * word is an operand, and so is every word after a `--`. A `--` just before or just after the command
 * is skipped: pnpm passes on a `--` typed after the script name (`pnpm user:list -- --json` runs
 * `users.js list -- --json`), so the scripts read the same with or without it, as the clients CLI
 * does. A second `--` ends the options.
 */
export function splitCommandLine (
  argv: readonly string[],
  optionsOf: (command: string) => readonly string[]
): CommandLine {
  const [command, ...afterCommand] = argv[0] === '--' ? argv.slice(1) : argv
  const rest = afterCommand[0] === '--' ? afterCommand.slice(1) : afterCommand
  const known = command === undefined ? [] : optionsOf(command)
  const end = rest.indexOf('--')
  const flagged = end === -1 ? rest : rest.slice(0, end)
  const options = new Set(flagged.filter((word) => known.includes(word)))
  const operands = [...flagged.filter((word) => !known.includes(word)), ...(end === -1 ? [] : rest.slice(end + 1))]
  return { command, options, operands }
}
