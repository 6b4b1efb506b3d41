// The data each chart of docs/performance/ is drawn from. The parts of the bench that measure produce these;
// bench/src/charts renders them. One shape per chart, plain data, no rendering concerns.

/** CPU µs per request by server, per scenario (the peer table): bars grouped by scenario. */
export interface CpuBars {
  title: string
  unit: string
  scenarios: string[]
  series: { name: string, values: (number | null)[] }[]
}

/** Grants per second per busy core, ours beside published figures (with their conditions as a footnote). */
export interface GrantsPerCore {
  title: string
  rows: { label: string, grantsPerCore: number, source: 'measured' | 'published', note?: string }[]
}

/** Latency against table size: one line per operation and statistic, x = rows (log scale). */
export interface LatencyBySize {
  title: string
  rows: number[]
  series: { name: string, ms: number[] }[]
}
