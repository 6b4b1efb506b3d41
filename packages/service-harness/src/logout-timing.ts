import { performance } from 'node:perf_hooks'

/** The consumer route any valid access token may call. */
const PROTECTED = '/api/v1/protected'

/** What a consumer answers `token` with: the status, and the `error` of its challenge if any. */
export async function consumerAnswer (consumer: string, token: string): Promise<{ status: number, error?: string }> {
  const response = await fetch(`${consumer}${PROTECTED}`, { headers: { authorization: `Bearer ${token}` } })
  await response.body?.cancel()
  const challenge = response.headers.get('www-authenticate') ?? ''
  const error = /error="([^"]+)"/.exec(challenge)?.[1]
  return error === undefined ? { status: response.status } : { status: response.status, error }
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
