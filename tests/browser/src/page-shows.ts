import type { Page } from 'playwright-core'

/** One `pageshow` of the page's top document: how it came to be shown. */
export interface PageShow {
  /** True when the back/forward cache restored the document as it was left (memory included). */
  persisted: boolean
  /** How the document itself was loaded (`navigate`, `reload`, `back_forward`): unchanged by a restore. */
  navigationType: string
  url: string
}

/**
 * Every `pageshow` of `page`'s top document from now on, in order: tells a document Back loaded afresh
 * (`back_forward`) from one the back/forward cache restored (`persisted`), and shows what came next.
 */
export async function watchPageShows (page: Page): Promise<PageShow[]> {
  const shows: PageShow[] = []
  await page.exposeBinding('__recordPageShow', ({ frame }, show: PageShow) => {
    if (frame === page.mainFrame()) shows.push(show)
  })
  await page.addInitScript(() => {
    // Runs in the page (no DOM types in this project), before the page's own scripts.
    interface PageTransitionEvent { persisted: boolean }
    const { addEventListener, performance, location, __recordPageShow: record } = globalThis as unknown as {
      addEventListener: (type: 'pageshow', listener: (event: PageTransitionEvent) => void) => void
      performance: { getEntriesByType: (type: 'navigation') => Array<{ type: string }> }
      location: { href: string }
      __recordPageShow: (show: PageShow) => void
    }
    addEventListener('pageshow', (event) => {
      const navigationType = performance.getEntriesByType('navigation')[0]?.type ?? ''
      record({ persisted: event.persisted, navigationType, url: location.href })
    })
  })
  return shows
}

/**
 * Whether any of `secrets` is still reachable in the page's JavaScript heap: a heap snapshot (Chromium's
 * DevTools protocol; it collects garbage first) holds every live string.
 */
export async function heapHolds (page: Page, secrets: readonly string[]): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page)
  const chunks: string[] = []
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => { chunks.push(chunk) })
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
  } finally {
    await cdp.detach()
  }
  const snapshot = chunks.join('')
  return secrets.filter((secret) => snapshot.includes(secret))
}
