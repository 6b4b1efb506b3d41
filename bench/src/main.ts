import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { printReport } from './report.js'
import { HERE, plan, progress, report } from './run.js'
import { bare } from './scenarios/bare.js'
import { consumerScenarios } from './scenarios/consumer.js'
import { verifyCostMicros } from './verify-cost.js'

async function main (): Promise<number> {
  progress(`${report.mode} run: ${plan.runs} run(s) of ${plan.runSeconds} s after ${plan.warmupSeconds} s warm-up, per scenario`)
  await bare()
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    report.verifyMicros[alg] = verifyCostMicros(alg)
    await consumerScenarios(alg)
  }
  const failures = printReport(report)
  const file = join(HERE, '..', 'results', 'latest.json')
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
  progress(`wrote ${file}`)
  return failures > 0 ? 1 : 0
}

process.exitCode = await main()
