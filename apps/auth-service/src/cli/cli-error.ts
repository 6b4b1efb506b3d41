import { loadDotEnv } from '@repo/service-kit/dot-env'
import { ConfigError } from '@repo/service-kit/env'
import { Pkcs11TokenError } from '../keys/pkcs11/index.js'

/** Exit status of a command line that does not parse: a wrong command, operand or option. */
export const USAGE_ERROR = 2
/** Exit status after Ctrl-C at a prompt, as a shell reports a process ended by SIGINT (128 + 2). */
export const INTERRUPTED = 130

/** An error for the person at the terminal: printed as one line, ending the CLI with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError'
  readonly code = 'CLI_ERROR'
  readonly exitCode: number

  constructor (message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

/** What failed, in one line, when it is the environment's fault (permissions, a locked database), not a bug. */
function oneLine (error: unknown): string | undefined {
  const expected = [CliError, ConfigError, Pkcs11TokenError].some((kind) => error instanceof kind)
  if (expected) return (error as Error).message
  if (!(error instanceof Error)) return undefined
  const { code, syscall } = error as Error & { code?: unknown, syscall?: unknown }
  if (typeof syscall === 'string' || code === 'ERR_SQLITE_ERROR') return error.message.split('\n')[0]
  return undefined
}

/**
 * Runs a CLI's `main` (after loading `.env`, if there is one) and sets the exit status: `main`'s result,
 * a `CliError`'s status, or 1. Expected failures print one line prefixed with the CLI's `name`; anything
 * else is a bug and keeps its stack.
 */
export async function runCli (name: string, main: () => Promise<number>): Promise<void> {
  try {
    // Read from the same `.env` as the service (the CLIs' scripts run in the app's folder).
    loadDotEnv()
    process.exitCode = await main()
  } catch (error) {
    const line = oneLine(error)
    console.error(line === undefined ? error : `${name}: ${line}`)
    process.exitCode = error instanceof CliError ? error.exitCode : 1
  }
}
