import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { documentationFiles } from '../src/documentation-files.js'
import { anchorsOf, brokenLinks } from '../src/markdown-links.js'

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..')

/** A throw-away tree of Markdown files, removed after the test. */
function tree (files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'docs-links-'))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

describe('the repository\'s documentation', () => {
  it('has README.md and pages under docs/', () => {
    expect(documentationFiles(REPO_ROOT)).toEqual(expect.arrayContaining(['README.md', join('docs', 'configuration.md')]))
  })

  it('links only to files and #anchors that exist', () => {
    expect(brokenLinks(REPO_ROOT, documentationFiles(REPO_ROOT))).toEqual([])
  })
})

describe('brokenLinks', () => {
  const PAGE = [
    '# Guide', '', '## Run it', '', '## `SIGNING_ALG` changes, and why?', '', '## Run it', '',
    '<a id="custom"></a>', '```sh', '# not a heading', '[not a link](missing.md)', '```', ''
  ].join('\n')

  it.each([
    { link: 'docs/guide.md', problem: undefined },
    { link: 'docs/guide.md#run-it', problem: undefined },
    { link: 'docs/guide.md#run-it-1', problem: undefined },
    { link: 'docs/guide.md#signing_alg-changes-and-why', problem: undefined },
    { link: 'docs/guide.md#custom', problem: undefined },
    { link: 'https://example.com/nowhere.md#nothing', problem: undefined },
    { link: 'docs/gide.md', problem: 'no file docs/gide.md' },
    { link: 'docs/guide.md#run', problem: 'no heading or anchor "#run" in docs/guide.md' },
    { link: 'docs/guide.md#not-a-heading', problem: 'no heading or anchor "#not-a-heading" in docs/guide.md' },
    { link: '#nowhere', problem: 'no heading or anchor "#nowhere" in README.md' }
  ])('[…]($link)', ({ link, problem }) => {
    const root = tree({ 'README.md': `# Readme\n\nSee [the guide](${link}).\n`, 'docs/guide.md': PAGE })
    const expected = problem === undefined ? [] : [{ file: 'README.md', line: 3, link, problem }]
    expect(brokenLinks(root, ['README.md'])).toEqual(expected)
  })

  it('ignores links in fenced code and inline code, and follows relative paths from the page', () => {
    const root = tree({
      'docs/a.md': '# A\n\n`[x](gone.md)`\n\n```\n[y](gone.md)\n```\n\n[back](../README.md#readme), [b](b.md#b)\n',
      'docs/b.md': '# B\n',
      'README.md': '# Readme\n'
    })
    expect(brokenLinks(root, ['docs/a.md'])).toEqual([])
  })

  it('makes GitHub\'s slugs, numbering repeated headings', () => {
    expect([...anchorsOf('# Run it\n## Run it\n### TLS and reverse proxies\n## The reference, in docs/\n')])
      .toEqual(['run-it', 'run-it-1', 'tls-and-reverse-proxies', 'the-reference-in-docs'])
  })
})
