import { selfTimes, type Frame, type FrameKind } from './cpu-profile.js'

/**
 * What a profile says in text: the share of each kind of code, then the functions with the most
 * self time. `perRequest` (the requests the profile covers) turns µs into µs per request.
 */
export function profileSummary (tree: Frame, top: number, perRequest?: number): string {
  const per = (micros: number) =>
    perRequest === undefined ? '' : `  ${(micros / perRequest).toFixed(1).padStart(6)} µs/req`
  const share = (micros: number) => `${((100 * micros) / tree.total).toFixed(1).padStart(5)} %`
  const functions = selfTimes(tree)
  const byKind = new Map<FrameKind, number>()
  for (const { kind, self } of functions) byKind.set(kind, (byKind.get(kind) ?? 0) + self)
  const lines = [`sampled ${(tree.total / 1000).toFixed(1)} ms${per(tree.total)}`, '', 'self time by kind of code:']
  for (const [kind, micros] of [...byKind].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${share(micros)}${per(micros)}  ${kind}`)
  }
  lines.push('', `top ${top} functions by self time:`)
  for (const { name, self } of functions.slice(0, top)) lines.push(`  ${share(self)}${per(self)}  ${name}`)
  return lines.join('\n')
}
