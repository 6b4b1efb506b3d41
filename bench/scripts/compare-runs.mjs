// How far two runs' CPU-per-request figures are apart (issue 25: two full runs on a quiet machine
// within 10 % of each other), from their JSON results:
//   node bench/scripts/compare-runs.mjs bench/results/latest.json bench/results/latest-peers.json
// Every server, algorithm and scenario of the peer comparison measured at the paced rate in both runs
// (and the consumer's DPoP), compared by two statistics over the rounds: the median (what the tables
// print) and the lower quartile (disturbances only add CPU, so a low statistic is the steadier).
import { readFile } from 'node:fs/promises'

const [first, second] = await Promise.all(process.argv.slice(2, 4).map(async (file) => {
  const report = JSON.parse(await readFile(file, 'utf8'))
  return report.peers ?? report
}))
if (first?.runs === undefined || second?.runs === undefined) {
  throw new Error('usage: compare-runs.mjs <first.json> <second.json>, each with a peer comparison')
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low)
}
/** The tables' median (peer-report.ts `spread`: the upper middle value of an even count) and the lower quartile. */
const STATISTICS = {
  median: (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)],
  'lower quartile': (values) => quantile(values, 0.25)
}

const figures = (report) => {
  const byCell = new Map()
  for (const run of report.runs) {
    if (!run.token.endsWith('-paced') || run.cpuMicrosPerRequest === null) continue
    const cell = `${run.server}\t${run.alg}\t${run.token.replace('-paced', '')}`
    byCell.set(cell, [...byCell.get(cell) ?? [], run.cpuMicrosPerRequest])
  }
  return byCell
}
const a = figures(first)
const b = figures(second)
const cells = [...a.keys()].filter((cell) => b.has(cell))

const percent = (x, y) => (y - x) / x * 100
console.log(`server\talg\ttoken\t${Object.keys(STATISTICS).map((name) => `${name}: first · second (change)`).join('\t')}`)
for (const cell of cells) {
  const columns = Object.values(STATISTICS).map((statistic) => {
    const x = statistic(a.get(cell))
    const y = statistic(b.get(cell))
    return `${x.toFixed(0)} · ${y.toFixed(0)} (${percent(x, y) >= 0 ? '+' : ''}${percent(x, y).toFixed(0)} %)`
  })
  console.log(`${cell}\t${columns.join('\t')}`)
}
for (const [name, statistic] of Object.entries(STATISTICS)) {
  const changes = cells.map((cell) => Math.abs(percent(statistic(a.get(cell)), statistic(b.get(cell)))))
  const within = changes.filter((change) => change <= 10).length
  console.log(`${name}: ${within} of ${cells.length} figures within 10 %, ` +
    `median difference ${quantile(changes, 0.5).toFixed(0)} %, largest ${Math.max(...changes).toFixed(0)} %`)
}
