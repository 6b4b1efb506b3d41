import { setTimeout as sleep } from 'node:timers/promises'

export interface LoadResult {
  total: number
  byStatus: Record<number, number>
  /** Failures other than an HTTP status (connection errors), with their message. */
  errors: string[]
  non2xx: number
}

/**
 * A closed-loop load generator: `concurrency` workers each send requests back to back until
 * `signal` aborts, using whatever token `currentToken()` returns at that moment. `progress` is the
 * running count, for a test to wait on; `done` resolves with the final one.
 */
export function runLoad (
  url: string,
  currentToken: () => string,
  concurrency: number,
  signal: AbortSignal
): { progress: LoadResult, done: Promise<LoadResult> } {
  const result: LoadResult = { total: 0, byStatus: {}, errors: [], non2xx: 0 }
  async function worker () {
    while (!signal.aborted) {
      try {
        const response = await fetch(url, { headers: { authorization: `Bearer ${currentToken()}` } })
        await response.arrayBuffer()
        result.total++
        result.byStatus[response.status] = (result.byStatus[response.status] ?? 0) + 1
        if (response.status < 200 || response.status > 299) result.non2xx++
      } catch (error) {
        result.total++
        result.non2xx++
        result.errors.push(error instanceof Error ? error.message : String(error))
      }
    }
  }
  return { progress: result, done: Promise.all(Array.from({ length: concurrency }, worker)).then(() => result) }
}

/** Keeps a fresh token from the auth service, logging in every `everyMs` until `signal` aborts. */
export function keepTokenFresh (fetchToken: () => Promise<string>, everyMs: number, signal: AbortSignal) {
  const seenKids = new Set<string>()
  const state = { token: '', seenKids }
  const kidOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string
  const ready = (async () => {
    state.token = await fetchToken()
    seenKids.add(kidOf(state.token))
  })()
  const loop = (async () => {
    await ready
    while (!signal.aborted) {
      await sleep(everyMs)
      try {
        state.token = await fetchToken()
        seenKids.add(kidOf(state.token))
      } catch {
        // the auth service may be down on purpose; keep the last token
      }
    }
  })()
  return { state, ready, done: loop }
}
