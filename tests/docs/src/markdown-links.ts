import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import GithubSlugger from 'github-slugger'

export interface BrokenLink {
  /** The Markdown file, relative to the root it was checked from. */
  file: string
  line: number
  link: string
  problem: string
}

const FENCE = /^ {0,3}(```|~~~)/
const HEADING = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/
const INLINE_CODE = /(`+)(.+?)\1/g
// `](target)` or `](target "title")`: the link text may have wrapped onto an earlier line.
const INLINE_LINK = /\]\(<?([^()\s<>]+)>?(?:\s+"[^"]*")?\)/g
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s+<?([^\s<>]+)>?/
const HTML_ANCHOR = /<a\s[^>]*(?:id|name)="([^"]+)"/g
const SCHEME = /^[a-z][a-z0-9+.-]*:/i

/** The lines of a Markdown text outside fenced code blocks, each with its 1-based number. */
function proseLines (markdown: string): Array<{ text: string, number: number }> {
  const lines: Array<{ text: string, number: number }> = []
  let fence: string | undefined
  markdown.split('\n').forEach((text, index) => {
    const opening = FENCE.exec(text)?.[1]
    if (fence !== undefined) {
      if (opening === fence) fence = undefined
    } else if (opening !== undefined) {
      fence = opening
    } else {
      lines.push({ text, number: index + 1 })
    }
  })
  return lines
}

/** A heading's text as GitHub renders it before making its slug: no code marks, links or emphasis. */
function headingText (source: string): string {
  return source
    .replace(INLINE_CODE, (_, _ticks: string, code: string) => code)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*+/g, '')
}

/** The `#fragment`s a Markdown file answers to on GitHub: its headings' slugs, and HTML anchors. */
export function anchorsOf (markdown: string): Set<string> {
  const slugger = new GithubSlugger()
  const anchors = new Set<string>()
  for (const { text } of proseLines(markdown)) {
    const heading = HEADING.exec(text)?.[1]
    if (heading !== undefined) anchors.add(slugger.slug(headingText(heading)))
    for (const match of text.matchAll(HTML_ANCHOR)) anchors.add(match[1] as string)
  }
  return anchors
}

/** Every link target of a Markdown file outside code, with its line. */
export function linksOf (markdown: string): Array<{ link: string, line: number }> {
  const links: Array<{ link: string, line: number }> = []
  for (const { text, number } of proseLines(markdown)) {
    const prose = text.replace(INLINE_CODE, '')
    for (const match of prose.matchAll(INLINE_LINK)) links.push({ link: match[1] as string, line: number })
    const definition = REFERENCE_DEFINITION.exec(prose)?.[1]
    if (definition !== undefined) links.push({ link: definition, line: number })
  }
  return links
}

/**
 * The relative links of `files` (paths under `root`) that point at no file, or at a `#anchor` the
 * target Markdown file does not have. Links with a scheme (`https:`, `mailto:`) are not followed:
 * the check stays offline.
 */
export function brokenLinks (root: string, files: readonly string[]): BrokenLink[] {
  const anchorCache = new Map<string, Set<string>>()
  const anchorsAt = (path: string) => {
    let anchors = anchorCache.get(path)
    if (anchors === undefined) {
      anchors = anchorsOf(readFileSync(path, 'utf8'))
      anchorCache.set(path, anchors)
    }
    return anchors
  }
  const broken: BrokenLink[] = []
  for (const file of files) {
    const source = resolve(root, file)
    for (const { link, line } of linksOf(readFileSync(source, 'utf8'))) {
      if (SCHEME.test(link) || link.startsWith('//')) continue
      const hash = link.indexOf('#')
      const pathPart = decodeURI(hash === -1 ? link : link.slice(0, hash))
      const anchor = hash === -1 ? undefined : decodeURIComponent(link.slice(hash + 1))
      const target = pathPart === ''
        ? source
        : pathPart.startsWith('/') ? join(root, pathPart) : resolve(dirname(source), pathPart)
      const report = (problem: string) => broken.push({ file: relative(root, source), line, link, problem })
      if (!existsSync(target)) {
        report(`no file ${relative(root, target)}`)
      } else if (anchor !== undefined && anchor !== '' && target.endsWith('.md') && !anchorsAt(target).has(anchor)) {
        report(`no heading or anchor "#${anchor}" in ${relative(root, target)}`)
      }
    }
  }
  return broken
}
