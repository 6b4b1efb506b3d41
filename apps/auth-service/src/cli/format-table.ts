/** Rows under a header, each column as wide as its widest cell, two spaces apart. */
export function formatTable (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)))
  const formatRow = (row: readonly string[]) =>
    row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()
  return [header, ...rows].map(formatRow)
}

/** An instant as `2030-01-01T00:00:00Z` (milliseconds only when there are some); `-` for none. */
export const formatTime = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'))
