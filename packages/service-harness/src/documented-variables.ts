import { readFileSync } from 'node:fs'

/** docs/configuration.md, from the repository root. */
const CONFIGURATION_PAGE = new URL('../../../docs/configuration.md', import.meta.url)

/**
 * The variables named in the first column of the table under `## <section>` in docs/configuration.md,
 * for a test that holds a service's settings table and its documentation to each other.
 */
export function documentedVariables (section: string): string[] {
  const page = readFileSync(CONFIGURATION_PAGE, 'utf8')
  const rows = page.split(/^## /m).find((part) => part.startsWith(`${section}\n`))?.split('\n') ?? []
  const names = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].flatMap((match) => match[1] ?? [])
  return rows.filter((row) => row.startsWith('| `')).flatMap((row) => names(row.split('|')[1] ?? ''))
}
