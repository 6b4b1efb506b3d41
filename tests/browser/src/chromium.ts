import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/**
 * Without the background-networking flags Chromium keeps dialling Google's services, and on a
 * machine without internet that is a flood of refused connections in the middle of the test.
 */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * Debian's Chromium (`apt-get install chromium`), or the one at `CHROMIUM_PATH`; `args` adds flags
 * (an issuer's route: issuer-route.ts).
 */
export async function launchChromium (
  { args = [], executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }: {
    args?: string[]
    executablePath?: string
  } = {}
): Promise<Browser> {
  if (!existsSync(executablePath)) {
    // A failure, not a skip: a browser suite that passes without a browser proves nothing.
    throw new Error(`No Chromium at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH`)
  }
  return chromium.launch({ executablePath, args: [...FLAGS, ...args] })
}
