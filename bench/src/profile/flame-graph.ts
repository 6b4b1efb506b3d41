import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { callTree, focus, type CpuProfile } from './cpu-profile.js'
import { flameGraphSvg } from './flame-graph-svg.js'
import { profileSummary } from './profile-summary.js'

/**
 * `node dist/profile/flame-graph.js <in.cpuprofile> <out.svg> [--title=...] [--subtitle=...]
 * [--focus=<function>] [--top=25]`: a profile written by `node --cpu-prof` (for instance by a
 * server the bench started with `BENCH_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=...'`) as an SVG
 * flame graph, and its summary on stdout. `--focus` roots the graph at every call of one function.
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    title: { type: 'string', default: 'CPU profile' },
    subtitle: { type: 'string' },
    focus: { type: 'string' },
    top: { type: 'string', default: '25' }
  }
})
const [input, output] = positionals
if (input === undefined || output === undefined) {
  console.error('usage: flame-graph <in.cpuprofile> <out.svg> [--title=] [--subtitle=] [--focus=] [--top=]')
  process.exit(2)
}
const whole = callTree(JSON.parse(await readFile(input, 'utf8')) as CpuProfile)
const tree = values.focus === undefined ? whole : focus(whole, values.focus)
await writeFile(output, flameGraphSvg(tree, { title: values.title, subtitle: values.subtitle }))
console.log(profileSummary(tree, Number(values.top)))
console.log(`\nwrote ${output}`)
