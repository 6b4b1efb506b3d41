import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { printPeerReport } from './peer-report.js'
import { printReplicaReport } from './replica-report.js'
import { printReport } from './report.js'
import { HERE, plan, progress, report } from './run.js'
import { consumerScenarios } from './scenarios/consumer.js'
import { peerScenarios } from './scenarios/peers.js'
import { replicaScenarios } from './scenarios/replicas.js'

async function main (): Promise<number> {
  progress(`${report.mode} run`)
  progress('1-2. the bare route, the consumer and its peers, protected route')
  await peerScenarios()
  progress(`then: ${plan.runs} run(s) of ${plan.runSeconds} s after ${plan.warmupSeconds} s warm-up, per scenario`)
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) await consumerScenarios(alg)
  report.replicas = await replicaScenarios()
  const failures = printReport(report) + printPeerReport(report.peers) + printReplicaReport(report.replicas)
  const file = join(HERE, '..', 'results', 'latest.json')
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
  progress(`wrote ${file}`)
  return failures > 0 ? 1 : 0
}

process.exitCode = await main()
