import type { Frame, FrameKind } from './cpu-profile.js'

export interface FlameGraphOptions {
  title: string
  /** A line under the title: what was profiled, and how. */
  subtitle?: string
  width?: number
}

const FRAME_HEIGHT = 17
const FONT_SIZE = 11
/** Average glyph width of the font at FONT_SIZE: how many characters a frame's label can show. */
const CHAR_WIDTH = FONT_SIZE * 0.6
const HEADER = 66
const PAD = 10
/** Narrower frames are left out (their time still counts in their parent's width). */
const MIN_WIDTH = 0.3

/** Base hue, saturation and lightness of each kind of code; a frame's name shifts its hue a little. */
const PALETTE: Record<FrameKind, { hue: number, sat: number, light: number, label: string }> = {
  ours: { hue: 100, sat: 45, light: 58, label: 'this repository' },
  dependency: { hue: 32, sat: 85, light: 60, label: 'dependencies (node_modules)' },
  node: { hue: 205, sat: 55, light: 65, label: 'Node.js (node:*, native)' },
  engine: { hue: 0, sat: 65, light: 62, label: 'V8 (GC, program)' }
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function colour (frame: Frame): string {
  const { hue, sat, light } = PALETTE[frame.kind]
  let hash = 0
  for (let i = 0; i < frame.name.length; i++) hash = (hash * 31 + frame.name.charCodeAt(i)) >>> 0
  return `hsl(${hue + (hash % 20) - 10}, ${sat}%, ${light + ((hash >> 5) % 10) - 5}%)`
}

function label (name: string, width: number): string {
  const fits = Math.floor((width - 6) / CHAR_WIDTH)
  if (fits < 3) return ''
  return name.length <= fits ? name : `${name.slice(0, fits - 2)}..`
}

/**
 * A flame graph as a standalone SVG (Brendan Gregg's layout: the root at the bottom, callers below
 * their callees, width proportional to sampled time, siblings in alphabetical order). Each frame has
 * a `<title>` with its time and share, shown on hover by any browser.
 */
export function flameGraphSvg (tree: Frame, options: FlameGraphOptions): string {
  const width = options.width ?? 1200
  const usable = width - 2 * PAD
  const scale = tree.total > 0 ? usable / tree.total : 0
  const depthOf = (frame: Frame): number => 1 + frame.children.reduce((max, child) => Math.max(max, depthOf(child)), 0)
  const depth = depthOf(tree)
  const height = HEADER + depth * FRAME_HEIGHT + PAD
  const rects: string[] = []

  const draw = (frame: Frame, x: number, level: number) => {
    const w = frame.total * scale
    if (w < MIN_WIDTH) return
    const y = height - PAD - (level + 1) * FRAME_HEIGHT
    const share = tree.total > 0 ? (100 * frame.total) / tree.total : 0
    const tip = `${frame.name}: ${(frame.total / 1000).toFixed(1)} ms, ${share.toFixed(1)} % ` +
      `(self ${(frame.self / 1000).toFixed(1)} ms)`
    const text = label(frame.name, w)
    rects.push(
      `<g><title>${escape(tip)}</title>` +
      `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_HEIGHT - 1}" ` +
      `fill="${colour(frame)}" rx="2"/>` +
      (text === '' ? '' : `<text x="${(x + 3).toFixed(2)}" y="${y + 12}">${escape(text)}</text>`) +
      '</g>')
    let childX = x
    for (const child of frame.children) {
      draw(child, childX, level + 1)
      childX += child.total * scale
    }
  }
  draw(tree, PAD, 0)

  const legend = (Object.keys(PALETTE) as FrameKind[]).map((kind, i) => {
    const x = PAD + i * 230
    const { hue, sat, light, label: name } = PALETTE[kind]
    return `<rect x="${x}" y="${HEADER - 22}" width="12" height="12" fill="hsl(${hue}, ${sat}%, ${light}%)"/>` +
      `<text x="${x + 17}" y="${HEADER - 12}">${escape(name)}</text>`
  }).join('')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="Verdana, sans-serif" font-size="${FONT_SIZE}">`,
    '<rect width="100%" height="100%" fill="#fdfdf6"/>',
    `<text x="${width / 2}" y="20" font-size="15" text-anchor="middle">${escape(options.title)}</text>`,
    options.subtitle === undefined
      ? ''
      : `<text x="${width / 2}" y="37" fill="#555" text-anchor="middle">${escape(options.subtitle)}</text>`,
    legend,
    ...rects,
    '</svg>',
    ''
  ].join('\n')
}
