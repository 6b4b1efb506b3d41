import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'

/**
 * Without the background-networking flags Chromium keeps dialling Google's services, and on a
 * machine without internet that is a flood of refused connections in the middle of the test.
 */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface ChromiumOptions {
  /** Flags added to the usual ones (an issuer's route: issuer-route.ts). */
  args?: string[]
  /** Playwright's own flags to leave out, e.g. `--disable-back-forward-cache` to test what Back restores. */
  ignoreDefaultArgs?: string[]
  executablePath?: string
}

/** Debian's Chromium (`apt-get install chromium`), or the one at `CHROMIUM_PATH`. */
export async function launchChromium (options: ChromiumOptions = {}): Promise<Browser> {
  const { args = [], ignoreDefaultArgs = [] } = options
  const executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(executablePath)) {
    // A failure, not a skip: a browser suite that passes without a browser proves nothing.
    throw new Error(`No Chromium at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH`)
  }
  return chromium.launch({ executablePath, args: [...FLAGS, ...args], ignoreDefaultArgs })
}

/** One Chromium for a suite, each page in a fresh profile of its own. */
export interface BrowserSession {
  /** A page in a new context (no cookies, no storage); `page.context()` is its profile. */
  newPage: (contextOptions?: BrowserContextOptions) => Promise<Page>
  /** Closes every context and the browser; safe when no page was ever opened or the launch failed. */
  close: () => Promise<void>
}

/**
 * Chromium is launched by the first `newPage` rather than up front: without a browser each case fails,
 * naming what is missing, instead of the whole suite failing in its `beforeAll`.
 */
export function browserSession (options: ChromiumOptions | (() => ChromiumOptions) = {}): BrowserSession {
  // A function is read at launch: a suite's flags may depend on what its beforeAll started.
  const resolve = typeof options === 'function' ? options : () => options
  let browser: Promise<Browser> | undefined
  const contexts: BrowserContext[] = []
  return {
    async newPage (contextOptions) {
      browser ??= launchChromium(resolve())
      const context = await (await browser).newContext(contextOptions)
      contexts.push(context)
      return context.newPage()
    },
    async close () {
      await Promise.all(contexts.splice(0).map((context) => context.close()))
      await (await browser?.catch(() => undefined))?.close()
      browser = undefined
    }
  }
}
