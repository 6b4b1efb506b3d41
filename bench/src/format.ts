const pad = (cells: string[], widths: number[]) =>
  cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()

/** A plain-text table: a header, a rule, the rows; every column as wide as its widest cell. */
export function table (header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)))
  const rule = widths.map((w) => '-'.repeat(w))
  return [pad(header, widths), pad(rule, widths), ...rows.map((row) => pad(row, widths))].join('\n')
}
