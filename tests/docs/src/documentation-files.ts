import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/** README.md and every Markdown file under docs/, relative to the repository root. */
export function documentationFiles (root: string): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.md'))
    .map((path) => join('docs', path))
  return ['README.md', ...docs.sort()]
}
