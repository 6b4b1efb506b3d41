import type { BrowserContext, Page } from 'playwright-core'

/** Every request a page makes, and every token the auth service's token endpoint hands it. */
export interface PageWatch {
  /** Every URL requested, in order. */
  requests: string[]
  /** `grant_type` of each request to the token endpoint, in order. */
  grants: string[]
  /** The refresh tokens the token endpoint answered, oldest first. */
  refreshTokens: string[]
  /** The access tokens the token endpoint answered, oldest first. */
  accessTokens: string[]
  /** The `token_type` of each successful token response, in order (`DPoP` for a key-bound token). */
  tokenTypes: string[]
  /** Every access, refresh and ID token the page received. */
  tokens: () => string[]
  /** What the browser reported the page's CSP blocked (an inline script or style, a request elsewhere). */
  cspViolations: string[]
}

export function watchPage (page: Page, tokenEndpoint: string): PageWatch {
  const lists = { requests: [], grants: [], refreshTokens: [], accessTokens: [], tokenTypes: [], cspViolations: [] }
  const watch: PageWatch = { ...lists, tokens: () => [...seen] }
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      watch.cspViolations.push(message.text())
    }
  })
  const seen = new Set<string>()
  page.on('request', (request) => {
    watch.requests.push(request.url())
    if (request.url() === tokenEndpoint && request.method() === 'POST') {
      watch.grants.push(new URLSearchParams(request.postData() ?? '').get('grant_type') ?? '')
    }
  })
  page.on('response', async (response) => {
    if (response.url() !== tokenEndpoint || response.request().method() !== 'POST' || !response.ok()) return
    const body = await response.json().catch(() => ({})) as Record<string, unknown>
    for (const name of ['access_token', 'refresh_token', 'id_token']) {
      if (typeof body[name] === 'string') seen.add(body[name])
    }
    if (typeof body.refresh_token === 'string') watch.refreshTokens.push(body.refresh_token)
    if (typeof body.access_token === 'string') watch.accessTokens.push(body.access_token)
    if (typeof body.token_type === 'string') watch.tokenTypes.push(body.token_type)
  })
  return watch
}

/** What the page keeps where a script or a later visitor could read it: its storages, its cookies, its URL. */
export async function keptByPage (page: Page, context: BrowserContext): Promise<string> {
  const storages = await page.evaluate(() => {
    // Runs in the page (no DOM types in this project).
    interface Storage { length: number, key: (i: number) => string | null, getItem: (k: string) => string | null }
    const { localStorage, sessionStorage } = globalThis as unknown as Record<'localStorage' | 'sessionStorage', Storage>
    const dump = (storage: Storage) => Array.from({ length: storage.length }, (_, i) => {
      const key = storage.key(i) ?? ''
      return `${key}=${storage.getItem(key) ?? ''}`
    })
    return [...dump(localStorage), ...dump(sessionStorage)]
  })
  const cookies = (await context.cookies(page.url())).map(({ name, value }) => `${name}=${value}`)
  return [...storages, ...cookies, page.url()].join('\n')
}

/**
 * The addresses that are not on this machine: anything but 127.0.0.1, localhost and `*.localhost` (which
 * browsers resolve to loopback themselves, RFC 6761).
 */
export const offMachine = (urls: readonly string[]) => urls.filter((url) => {
  const { hostname } = new URL(url)
  return !(hostname === '127.0.0.1' || hostname === 'localhost' || hostname.endsWith('.localhost'))
})
