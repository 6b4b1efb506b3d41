import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeCharts } from './charts/write-charts.js'
import { printGrantReport } from './grant-report.js'
import { printIssuersReport } from './issuers-report.js'
import { printPeerReport } from './peer-report.js'
import { printReplicaReport } from './replica-report.js'
import { printReport } from './report.js'
import { printScaleReport } from './scale-report.js'
import { printSignalsReport } from './signals-report.js'
import { HERE, plan, progress, report } from './run.js'
import { consumerScenarios } from './scenarios/consumer.js'
import { grantScenarios } from './scenarios/grants.js'
import { manyIssuersScenario } from './scenarios/many-issuers.js'
import { peerScenarios } from './scenarios/peers.js'
import { replicaScenarios } from './scenarios/replicas.js'
import { scaleScenario } from './scenarios/scale.js'
import { signalsScenario } from './scenarios/signals.js'

/**
 * `--only=peers|services|replicas|grants|signals|dpop|scale|issuers` (comma-separated) runs just those parts;
 * the default is all of them but `dpop`, the consumer's DPoP comparison alone, which the peer rounds include.
 * `scale` is the longest part of a full run (about 17 minutes, 6 of them seeding 10⁶ rows twice).
 */
const PARTS = ['peers', 'services', 'replicas', 'grants', 'signals', 'dpop', 'scale', 'issuers'] as const
type Part = typeof PARTS[number]
const DEFAULT_PARTS: readonly Part[] = ['peers', 'services', 'replicas', 'grants', 'signals', 'scale', 'issuers']

function selectedParts (): Part[] {
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)
  if (only === undefined) return [...DEFAULT_PARTS]
  const parts = only.split(',')
  const unknown = parts.filter((part) => !(PARTS as readonly string[]).includes(part))
  if (unknown.length > 0) {
    throw new Error(`--only: unknown part ${unknown.join(', ')} (one or more of ${PARTS.join(', ')})`)
  }
  return parts as Part[]
}

async function main (): Promise<number> {
  const parts = selectedParts()
  const some = parts.length < DEFAULT_PARTS.length || parts.some((part) => !DEFAULT_PARTS.includes(part))
  progress(`${report.mode} run${some ? ` of ${parts.join(', ')}` : ''}`)
  let failures = 0
  if (parts.includes('peers')) {
    progress('1-2. the bare route, the consumer and its peers, protected route')
    await peerScenarios()
  } else if (parts.includes('dpop')) {
    progress('the consumer with fresh bearer and DPoP-bound tokens, beside the bare route')
    await peerScenarios({ dpopOnly: true })
  }
  if (parts.includes('services')) {
    progress(`then: ${plan.runs} run(s) of ${plan.runSeconds} s after ${plan.warmupSeconds} s warm-up, per scenario`)
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) await consumerScenarios(alg)
  }
  if (parts.includes('replicas')) report.replicas = await replicaScenarios()
  if (parts.includes('grants')) report.grants = await grantScenarios()
  if (parts.includes('signals')) report.signals = await signalsScenario()
  if (parts.includes('scale')) report.scale = await scaleScenario()
  if (parts.includes('issuers')) report.issuers = await manyIssuersScenario()
  if (parts.includes('services')) failures += printReport(report)
  if (parts.includes('peers') || parts.includes('dpop')) failures += printPeerReport(report.peers)
  if (report.replicas) failures += printReplicaReport(report.replicas)
  if (report.grants) failures += printGrantReport(report.grants)
  if (report.signals) failures += printSignalsReport(report.signals)
  if (report.scale) failures += printScaleReport(report.scale)
  if (report.issuers) failures += printIssuersReport(report.issuers)
  const name = some ? `latest-${parts.join('-')}.json` : 'latest.json'
  const file = join(HERE, '..', 'results', name)
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
  progress(`wrote ${file}`)
  // Only a full run's figures are worth a picture; --quick leaves docs/ alone.
  if (report.mode === 'full') for (const chart of await writeCharts(report)) progress(`wrote ${chart}`)
  return failures > 0 ? 1 : 0
}

process.exitCode = await main()
