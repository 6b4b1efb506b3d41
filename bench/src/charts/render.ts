import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'

/**
 * A Vega-Lite spec drawn as SVG in Node: no browser, no canvas (the headless `renderer: 'none'` view, text
 * widths estimated). The charts' look is set once here: white background, so they read in dark mode too.
 */
export async function renderSvg (spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile({ background: 'white', config: CONFIG, ...spec } as TopLevelSpec)
  const view = new View(parse(vegaSpec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 15, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom', columns: 3, labelLimit: 320 }
} as const
