/** What `node --cpu-prof` writes (V8's `Profiler.Profile`, the fields read here). */
export interface CpuProfile {
  nodes: Array<{
    id: number
    callFrame: { functionName: string, url: string, lineNumber: number, columnNumber?: number }
    children?: number[]
  }>
  startTime: number
  endTime: number
  /** The node on top of the stack at each sample. */
  samples: number[]
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas: number[]
}

/** Where a frame's code comes from: colours the flame graph and groups the summary. */
export type FrameKind = 'ours' | 'dependency' | 'node' | 'engine'

/** One frame of the merged call tree: the same function under the same parent is one frame. */
export interface Frame {
  name: string
  kind: FrameKind
  /** µs sampled in this frame itself, and in it with everything it called. */
  self: number
  total: number
  children: Frame[]
}

/** Frames that are not CPU spent by the process: left out of the tree and its totals. */
const NOT_CPU = new Set(['(idle)'])

/** The part of a script URL people recognise: a package and its file, or a path under the repository. */
export function shortLocation (url: string): string {
  if (url === '') return ''
  if (url.startsWith('node:')) return url
  const path = url.replace(/^file:\/\//, '')
  const modules = path.lastIndexOf('/node_modules/')
  if (modules !== -1) return path.slice(modules + '/node_modules/'.length)
  const repo = path.match(/\/(apps|packages|bench|tests)\/.*$/)
  return repo ? repo[0].slice(1) : path.split('/').slice(-2).join('/')
}

/** `(program)`, `(garbage collector)`: V8 itself; a function without a script is native code, Node's or V8's. */
export function frameKind (url: string, functionName: string): FrameKind {
  if (url === '') return functionName.startsWith('(') ? 'engine' : 'node'
  if (url.startsWith('node:')) return 'node'
  return url.includes('/node_modules/') ? 'dependency' : 'ours'
}

/** `name (file:line)`, as the graph labels a frame: line numbers are 1-based there, 0-based in the profile. */
function frameName ({ functionName, url, lineNumber }: CpuProfile['nodes'][number]['callFrame']): string {
  const name = functionName === '' ? '(anonymous)' : functionName
  const where = shortLocation(url)
  return where === '' ? name : `${name} (${where}:${lineNumber + 1})`
}

/**
 * The profile as one tree of frames weighted by sampled time, root first. A sample's time is the
 * gap to the next sample (the last one gets the average), as DevTools counts it.
 */
export function callTree (profile: CpuProfile): Frame {
  const selfById = new Map<number, number>()
  const { samples, timeDeltas } = profile
  const average = samples.length > 1 ? (profile.endTime - profile.startTime) / samples.length : 0
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number
    const duration = i + 1 < timeDeltas.length ? (timeDeltas[i + 1] as number) : average
    selfById.set(id, (selfById.get(id) ?? 0) + Math.max(0, duration))
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []))
  const roots = profile.nodes.filter((node) => !childIds.has(node.id))

  const build = (id: number, into: Frame): void => {
    const node = byId.get(id)
    if (node === undefined || NOT_CPU.has(node.callFrame.functionName)) return
    const name = frameName(node.callFrame)
    let frame = into.children.find((child) => child.name === name)
    if (frame === undefined) {
      const kind = frameKind(node.callFrame.url, node.callFrame.functionName)
      frame = { name, kind, self: 0, total: 0, children: [] }
      into.children.push(frame)
    }
    frame.self += selfById.get(id) ?? 0
    for (const child of node.children ?? []) build(child, frame)
  }
  const root: Frame = { name: 'all', kind: 'engine', self: 0, total: 0, children: [] }
  for (const node of roots) {
    // V8's own root frame adds nothing: its children are the tree's first level.
    if (node.callFrame.functionName === '(root)') for (const child of node.children ?? []) build(child, root)
    else build(node.id, root)
  }
  const sum = (frame: Frame): number => {
    frame.total = frame.self + frame.children.reduce((total, child) => total + sum(child), 0)
    frame.children.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    return frame.total
  }
  sum(root)
  return root
}

/** The frames named `name` (their label up to the location) wherever they are, merged: a tree rooted there. */
export function focus (tree: Frame, name: string): Frame {
  const found: Frame[] = []
  const walk = (frame: Frame) => {
    if (frame.name === name || frame.name.startsWith(`${name} (`)) found.push(frame)
    else frame.children.forEach(walk)
  }
  walk(tree)
  const merged: Frame = { name, kind: found[0]?.kind ?? 'ours', self: 0, total: 0, children: [] }
  const mergeInto = (into: Frame, frame: Frame) => {
    into.self += frame.self
    into.total += frame.total
    for (const child of frame.children) {
      let same = into.children.find((other) => other.name === child.name)
      if (same === undefined) {
        same = { name: child.name, kind: child.kind, self: 0, total: 0, children: [] }
        into.children.push(same)
      }
      mergeInto(same, child)
    }
  }
  for (const frame of found) mergeInto(merged, frame)
  return merged
}

/** µs of self time by function (label), largest first. */
export function selfTimes (tree: Frame): Array<{ name: string, kind: FrameKind, self: number }> {
  const byName = new Map<string, { name: string, kind: FrameKind, self: number }>()
  const walk = (frame: Frame) => {
    const entry = byName.get(frame.name) ?? { name: frame.name, kind: frame.kind, self: 0 }
    entry.self += frame.self
    byName.set(frame.name, entry)
    frame.children.forEach(walk)
  }
  tree.children.forEach(walk)
  return [...byName.values()].filter((entry) => entry.self > 0).sort((a, b) => b.self - a.self)
}
