import type { Writable } from 'node:stream'
import { newPasswordProblem } from '../users/user-policy.js'
import { CliError } from './cli-error.js'
import { isTerminal, readFirstLine, readHidden, type SecretInput } from './read-secret.js'

/**
 * A new password for `userName`, never from the command line (it would land in shell history and
 * process listings). From a terminal: typed without echo, twice, and the two must match. From a
 * pipe: its first line. Either way it must meet the password policy.
 */
export async function readNewPassword (userName: string, input: SecretInput, prompts: Writable): Promise<string> {
  if (!isTerminal(input)) {
    const line = await readFirstLine(input)
    if (line === undefined) {
      throw new CliError('no password on standard input: type it at a terminal, or pipe it in as the first line')
    }
    checkPolicy(line)
    return line
  }
  const password = await readHidden(`New password for ${userName}: `, input, prompts)
  // Refuse a password the policy rejects before asking for it a second time.
  checkPolicy(password)
  const again = await readHidden('Type it again: ', input, prompts)
  if (again !== password) throw new CliError('the two passwords differ; nothing was changed')
  return password
}

function checkPolicy (password: string): void {
  const problem = newPasswordProblem(password)
  if (problem) throw new CliError(problem)
}
