import type { TopLevelSpec } from 'vega-lite'
import type { CpuBars } from './chart-data.js'

/** Bars grouped by scenario, one per server; a server without a figure in a scenario (n/a) has no bar there. */
export function cpuBarsSpec (data: CpuBars): TopLevelSpec {
  const values = data.scenarios.flatMap((scenario, index) => data.series.flatMap(({ name, values }) => {
    const value = values[index]
    return value === null || value === undefined ? [] : [{ scenario, server: name, value }]
  }))
  const servers = data.series.map(({ name }) => name)
  return {
    title: { text: data.title, subtitle: 'lower is better; no bar where a server cannot verify that algorithm' },
    // With xOffset, the step is one bar's: a group is as wide as its servers' bars.
    width: { step: 16 },
    height: 300,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'scenario', type: 'nominal', sort: data.scenarios, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'server', type: 'nominal', sort: servers },
      y: { field: 'value', type: 'quantitative', title: data.unit },
      color: { field: 'server', type: 'nominal', sort: servers, title: null }
    }
  }
}
