/** One request of a paced load: its status, or an error when no answer came. */
export type Send = (index: number) => Promise<number>

export interface PacedRun {
  /** Latency of every answered request, ms, from the moment it was due (not sent): queueing counts. */
  latenciesMs: number[]
  statuses: Record<string, number>
  errors: number
}

export interface PacedLoad {
  /** Requests per second, offered whatever the answers take (an open loop). */
  rate: number
  seconds: number
  /** At most this many requests in flight; a request due while all are busy waits, and its wait counts. */
  concurrency: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A fixed, moderate offered rate rather than saturation: latency is then the service's own (at
 * saturation it is the queue's), and two table sizes are compared under the same load. Each latency
 * is taken from the request's due time, so a stall shows as a slow request and not as fewer requests
 * (no coordinated omission). `send(i)` gets the request's index and answers its status.
 */
export async function pacedRun ({ rate, seconds, concurrency }: PacedLoad, send: Send): Promise<PacedRun> {
  const total = Math.max(1, Math.round(rate * seconds))
  const interval = 1000 / rate
  const run: PacedRun = { latenciesMs: [], statuses: {}, errors: 0 }
  const start = performance.now()
  let next = 0
  const worker = async () => {
    for (;;) {
      const index = next++
      if (index >= total) return
      const due = start + index * interval
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      try {
        const status = await send(index)
        run.latenciesMs.push(performance.now() - due)
        run.statuses[status] = (run.statuses[status] ?? 0) + 1
      } catch {
        run.errors++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return run
}

/** The `p`-th percentile (0–100) of `values` by nearest rank; NaN when there are none. */
export function percentile (values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] as number
}

/** Rounded to 0.01 ms. */
export const ms = (value: number) => Math.round(value * 100) / 100
