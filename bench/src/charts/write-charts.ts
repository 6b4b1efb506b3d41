import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Report } from '../report.js'
import { cpuChart, grantsChart, scaleChart } from './chart-sources.js'
import { cpuBarsSpec } from './cpu-bars.js'
import { grantsPerCoreSpec } from './grants-per-core.js'
import { latencyBySizeSpec } from './latency-by-size.js'
import { renderSvg } from './render.js'

/** docs/performance/ of the repository, from bench/dist/charts. */
export const CHARTS_DIR = fileURLToPath(new URL('../../../docs/performance/', import.meta.url))

/** The charts this run has data for, by file name. */
export async function renderCharts (report: Report): Promise<Map<string, string>> {
  const charts = new Map<string, string>()
  const cpu = cpuChart(report)
  if (cpu) charts.set('cpu-per-request.svg', await renderSvg(cpuBarsSpec(cpu)))
  const grants = grantsChart(report)
  if (grants) charts.set('grants-per-core.svg', await renderSvg(grantsPerCoreSpec(grants)))
  const scale = scaleChart(report)
  if (scale) charts.set('latency-by-table-size.svg', await renderSvg(latencyBySizeSpec(scale)))
  return charts
}

/**
 * Writes the charts of a run into `dir` (docs/performance/), each from the run's own results, and returns the
 * files written. Only a full run's figures are worth a picture: `--quick` does not call this.
 */
export async function writeCharts (report: Report, dir = CHARTS_DIR): Promise<string[]> {
  const charts = await renderCharts(report)
  if (charts.size > 0) await mkdir(dir, { recursive: true })
  const written: string[] = []
  for (const [name, svg] of charts) {
    const file = join(dir, name)
    await writeFile(file, svg)
    written.push(file)
  }
  return written
}
