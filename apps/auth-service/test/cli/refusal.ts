import { CliError } from '../../src/cli/cli-error.js'

/** The one line and the exit status a refusal ends a CLI with; fails the test if there was none. */
export async function refusal (run: () => unknown) {
  try {
    await run()
  } catch (error) {
    if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode }
    throw error
  }
  throw new Error('expected a refusal')
}
