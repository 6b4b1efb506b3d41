import type { TopLevelSpec } from 'vega-lite'
import type { LatencyBySize } from './chart-data.js'

/** One line per operation and statistic against the number of rows in the tables, rows on a log scale. */
export function latencyBySizeSpec (data: LatencyBySize): TopLevelSpec {
  const values = data.series.flatMap(({ name, ms }) =>
    data.rows.flatMap((rows, index) => ms[index] === undefined ? [] : [{ series: name, rows, ms: ms[index] }]))
  return {
    title: { text: data.title, subtitle: 'flat is the goal' },
    width: 480,
    height: 300,
    data: { values },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: {
        field: 'rows',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'rows per table',
        axis: { values: data.rows, format: '~s' }
      },
      y: { field: 'ms', type: 'quantitative', title: 'ms' },
      color: { field: 'series', type: 'nominal', sort: data.series.map(({ name }) => name), title: null }
    }
  }
}
