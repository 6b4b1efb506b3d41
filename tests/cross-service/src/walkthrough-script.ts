import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serviceEntry } from '@repo/service-harness/service-process'

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const SCRIPT = join(REPO_ROOT, 'scripts', 'walkthrough.sh')
/** packages/dpop's proof command, built (`pnpm build`); not an export of the package, so by its path. */
const DPOP_PROOF_ENTRY = join(REPO_ROOT, 'packages', 'dpop', 'dist', 'proof-bin.js')

export interface WalkthroughTarget {
  authUrl: string
  consumerUrl: string
  /** The browser app (WEB_URL); empty: its step is left out. */
  webUrl: string
  /** The auth service's DATA_DIR: the clients CLI registers reports-bot in that database. */
  authDataDir: string
}

/** Runs `scripts/walkthrough.sh` against services on plain http, as beside `pnpm start`; never throws. */
export function runWalkthrough (target: WalkthroughTarget): Promise<{ code: number, output: string }> {
  const { authUrl, consumerUrl, webUrl, authDataDir } = target
  const env = {
    ...process.env,
    AUTH_URL: authUrl,
    CONSUMER_URL: consumerUrl,
    WEB_URL: webUrl,
    WAIT_SECONDS: '10',
    // The CLI the README names beside `pnpm start`, without pnpm: the built entry point, on the same database.
    CLIENTS_CLI: `${process.execPath} ${serviceEntry('auth-service', 'cli/clients')}`,
    // The proof command the README names beside `pnpm start`, without pnpm: its built entry point. Its key
    // is the script's own temporary one (DPOP_KEY_FILE unset), new for each run.
    DPOP_CLI: `${process.execPath} ${DPOP_PROOF_ENTRY}`,
    DPOP_KEY_FILE: undefined,
    DATA_DIR: authDataDir
  }
  return new Promise((resolve) => {
    // One stream, as a terminal shows it: the login lines go to stderr, between the others.
    execFile('bash', ['-c', 'exec bash "$0" 2>&1', SCRIPT], { env, timeout: 90_000 }, (error, stdout) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, output: stdout })
    })
  })
}

/** The checked steps of an `ok    <step>: HTTP <status>` transcript, in order, statuses kept. */
export function checkedSteps (transcript: string): string[] {
  return transcript.split('\n').filter((line) => /^ok {4}.*: HTTP \d{3}$/.test(line))
}

/** The transcript the README shows after "`scripts/walkthrough.sh` runs the same calls and checks every status". */
export async function readmeTranscript (): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('`scripts/walkthrough.sh` runs the same calls and checks every status:')
  const block = /```\n([\s\S]*?)```/.exec(readme.slice(start))
  if (start < 0 || !block) throw new Error('README.md: no walkthrough transcript found')
  return block[1] as string
}
