import { nearestRank } from '@repo/service-harness/logout-timing'

/** The bound the README states: a logout is refused at every consumer within 2 s. */
export const SIGNALS_BOUND_MS = 2000

/** Scenario 8: milliseconds from each logout request to each consumer's first refusal of the token. */
export interface SignalsReport {
  logouts: number
  consumers: string[]
  /** One entry per logout: the time at each consumer, in `consumers`' order. */
  times: number[][]
  /** Answers other than 200 to John's token, asked at every consumer after every logout: 0 expected. */
  othersRefused: number
}

/** p50, p99 and the maximum per consumer and over all; returns 1 if the bound was missed or John was refused. */
export function printSignalsReport (report: SignalsReport, print: (line: string) => void = console.log): number {
  const row = (name: string, values: number[]) => {
    const sorted = values.toSorted((a, b) => a - b)
    const cells = [0.5, 0.99, 1].map((p) => nearestRank(sorted, p).toFixed(0).padStart(8))
    print(`${name.padEnd(24)}${cells.join('')}`)
    return sorted.at(-1) ?? Number.NaN
  }
  print('')
  print(`Shared Signals: logout to refusal, ${report.logouts} logouts, 2 auth replicas on PostgreSQL ` +
    '(ms from the logout request to the consumer\'s first 401)')
  print(`${'consumer'.padEnd(24)}${'p50'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}`)
  report.consumers.forEach((name, index) => row(name, report.times.map((times) => times[index] as number)))
  const max = row('all', report.times.flat())
  let failures = 0
  if (!(max <= SIGNALS_BOUND_MS)) {
    print(`FAILED the stated bound: a refusal took ${max.toFixed(0)} ms (bound ${SIGNALS_BOUND_MS} ms)`)
    failures++
  }
  if (report.othersRefused > 0) {
    print(`FAILED another user's token was refused ${report.othersRefused} time(s)`)
    failures++
  }
  return failures
}
