import type { IssuerKeySet } from './issuer-key-set.js'

/**
 * Fetches the key set at start-up and retries every `retryMs` until one fetch succeeds, so the
 * service becomes ready without waiting for a token to trigger the first fetch.
 */
export function startWarmUp (keySet: IssuerKeySet, retryMs: number): { stop: () => void } {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  async function attempt () {
    await keySet.refresh()
    if (!keySet.loaded && !stopped) timer = setTimeout(attempt, retryMs).unref()
  }
  attempt()
  return {
    stop () {
      stopped = true
      clearTimeout(timer)
    }
  }
}
