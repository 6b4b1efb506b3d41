import type { TopLevelSpec } from 'vega-lite'
import type { GrantsPerCore } from './chart-data.js'

/**
 * One horizontal bar per row, measured and published told apart by colour; each note (the conditions a
 * published figure was taken under) becomes a numbered footnote under the title, its number beside the label.
 */
export function grantsPerCoreSpec (data: GrantsPerCore): TopLevelSpec {
  const notes: string[] = []
  const values = data.rows.map(({ label, grantsPerCore, source, note }) => {
    if (note === undefined) return { label, grantsPerCore, source }
    notes.push(note)
    return { label: `${label} [${notes.length}]`, grantsPerCore, source }
  })
  return {
    title: {
      text: data.title,
      subtitle: ['higher is better', ...notes.map((note, index) => `[${index + 1}] ${note}`)]
    },
    width: 480,
    height: { step: 26 },
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } },
      x: { field: 'grantsPerCore', type: 'quantitative', title: 'grants per second per busy core' },
      color: {
        field: 'source',
        type: 'nominal',
        scale: { domain: ['measured', 'published'], range: ['#1f77b4', '#aaaaaa'] },
        title: null
      }
    }
  }
}
