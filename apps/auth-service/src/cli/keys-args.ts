export type KeysCommand =
  | { command: 'list', json: boolean }
  | { command: 'rotate' }
  | { command: 'revoke', kid: string }
  | { command: 'usage' }

/**
 * Reads `keys <command> [...]` by hand rather than with `util.parseArgs`: a kid is a base64url
 * thumbprint and may start with `-` (one in 64 does), which an option parser takes for a flag.
 * A `--` before the arguments (as `pnpm run x -- args` passes them) is skipped.
 */
export function parseKeysArgs (argv: readonly string[]): KeysCommand {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv]
  const [command, ...rest] = args
  const operands = rest[0] === '--' ? rest.slice(1) : rest
  if (command === 'list' && operands.every((arg) => arg === '--json')) return { command, json: operands.includes('--json') }
  if (command === 'rotate' && operands.length === 0) return { command }
  if (command === 'revoke' && operands.length === 1 && operands[0]) return { command, kid: operands[0] }
  return { command: 'usage' }
}
