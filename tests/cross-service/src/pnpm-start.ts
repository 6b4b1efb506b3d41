import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

/** tests/cross-service/src → the repository root, where `pnpm start` is run. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface PnpmStart {
  output: () => string
  /** The exit code once it has exited (`null` after a signal), `undefined` while it runs. */
  exitCode: () => number | null | undefined
  /** Resolves with the exit code when it exits on its own. */
  exited: Promise<number | null>
  /** Ctrl-C as at a terminal (turbo stops every task), then SIGKILL to the group if that took too long. */
  stop: () => Promise<void>
}

/** `pnpm <args>` run to completion at the repository root, with `env` beside PATH and HOME. */
export async function runPnpm (
  args: string[],
  env: Record<string, string>
): Promise<{ code: number | null, stderr: string }> {
  const child = spawn('pnpm', args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stderr }
}

/**
 * The root `pnpm start` (turbo, which runs each app's `start` script) with `args` after it and
 * `env` as the only settings beside PATH and HOME: what a newcomer types in a shell. It leads a
 * process group of its own, so `stop` reaches pnpm, turbo and turbo's tasks.
 */
export function pnpmStart (args: string[], env: Record<string, string>): PnpmStart {
  const child = spawn('pnpm', ['start', ...args], {
    cwd: REPO_ROOT,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TURBO_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  let code: number | null | undefined
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  child.stderr.on('data', (chunk) => { output += String(chunk) })
  const exited = once(child, 'exit').then(([exitCode]) => {
    code = exitCode as number | null
    return code
  })
  return {
    output: () => output,
    exitCode: () => code,
    exited,
    async stop () {
      if (code !== undefined) return
      process.kill(-(child.pid as number), 'SIGINT')
      const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}
