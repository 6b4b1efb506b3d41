import { performance } from 'node:perf_hooks'
import type { FormBrowser } from './form-browser.js'
import { call } from './http.js'
import { logOutThroughBrowser } from './session-login.js'

/** The consumer route any valid access token may call. */
const PROTECTED = '/api/v1/protected'

/** What a consumer answers `token` with: the status, and the `error` of its challenge if any. */
export async function consumerAnswer (consumer: string, token: string): Promise<{ status: number, error?: string }> {
  const { status, headers } = await call(`${consumer}${PROTECTED}`, token)
  const error = /error="([^"]+)"/.exec(headers.get('www-authenticate') ?? '')?.[1]
  return error === undefined ? { status } : { status, error }
}

/**
 * Asks `consumer` with `token` every `intervalMs` until it refuses it with 401 `invalid_token`, and
 * resolves to the milliseconds since `since` (a `performance.now()` reading) at that answer; rejects
 * after `timeoutMs`, or on any answer other than 200 or that refusal.
 */
export async function timeUntilRefused (
  consumer: string, token: string, since: number, { intervalMs = 2, timeoutMs = 10_000 } = {}
): Promise<number> {
  for (;;) {
    const answer = await consumerAnswer(consumer, token)
    const elapsed = performance.now() - since
    if (answer.status === 401 && answer.error === 'invalid_token') return elapsed
    if (answer.status !== 200) throw new Error(`${consumer} answered ${answer.status} ${answer.error ?? ''}`)
    if (elapsed > timeoutMs) throw new Error(`${consumer} still accepted the token ${Math.round(elapsed)} ms after`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** A browser session to log out: the browser holding its cookie, and the tokens it gave. */
export interface TimedSession {
  browser: FormBrowser
  tokens: { accessToken: string, idToken: string }
}

/**
 * Checks that every consumer accepts the session's access token, logs the session out at `replica` (the
 * browser's requests for `issuer` go there), and resolves to each consumer's milliseconds from the logout
 * request to its first refusal of the token.
 */
export async function timeLogout (
  session: TimedSession, issuer: string, replica: string, consumers: readonly string[]
): Promise<number[]> {
  for (const consumer of consumers) {
    const answer = await consumerAnswer(consumer, session.tokens.accessToken)
    if (answer.status !== 200) throw new Error(`${consumer} refused a live session's token: ${answer.status}`)
  }
  session.browser.route = (url) => url.origin === issuer ? new URL(url.pathname + url.search, replica) : url
  const since = performance.now()
  await logOutThroughBrowser(session.browser, issuer, session.tokens.idToken)
  return Promise.all(consumers.map((consumer) => timeUntilRefused(consumer, session.tokens.accessToken, since)))
}

/** The value at rank ⌈p·n⌉ of ascending `sorted` (nearest rank): p 0.5 the median, 1 the maximum. */
export const nearestRank = (sorted: readonly number[], p: number): number =>
  sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
