import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { settingVariables } from '@repo/service-kit/settings'
import { CONSUMER_SETTINGS } from '../src/config.js'

/** Documented beside the settings, but read by Node itself. */
const NODE_VARIABLES = ['NODE_EXTRA_CA_CERTS']

/** The variables named in the first column of the table under `## <section>` in docs/configuration.md. */
function documentedVariables (section: string): string[] {
  const page = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')
  const rows = page.split(/^## /m).find((part) => part.startsWith(`${section}\n`))?.split('\n') ?? []
  const names = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].flatMap((match) => match[1] ?? [])
  return rows.filter((row) => row.startsWith('| `')).flatMap((row) => names(row.split('|')[1] ?? ''))
}

describe('docs/configuration.md', () => {
  it('lists exactly the variables the consumer service declares, and Node\'s own it uses', () => {
    expect(documentedVariables('consumer-service').sort())
      .toEqual([...Object.keys(settingVariables(CONSUMER_SETTINGS)), ...NODE_VARIABLES].sort())
  })
})
