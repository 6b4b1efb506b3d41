import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/** One rule axe-core found broken, with the elements it found it on. */
export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

/** The part of axe-core's API used here. */
interface AxeCore {
  run: (context: unknown) => Promise<{
    violations: Array<{ id: string, impact: string | null, help: string, nodes: Array<{ target: unknown[] }> }>
  }>
}

const axeSource = () => readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * Runs axe-core on the page as it is. Its source is injected as a script tag, which the page's own
 * CSP forbids: open the page in a context with `bypassCSP` (the check is of the markup, not the policy).
 */
export async function axeViolations (page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: await axeSource() })
  return page.evaluate(async () => {
    // Runs in the page (no DOM types in this project): axe is the script just added.
    const { axe, document } = globalThis as unknown as { axe: AxeCore, document: unknown }
    const { violations } = await axe.run(document)
    return violations.map(({ id, impact, help, nodes }) =>
      ({ id, impact, help, targets: nodes.map(({ target }) => target.join(' ')) }))
  })
}

/** What a person using a screen reader or a keyboard cannot get past. */
export const isBlocking = ({ impact }: AxeViolation) => impact === 'serious' || impact === 'critical'
