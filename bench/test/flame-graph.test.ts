import { describe, expect, it } from 'vitest'
import { callTree, focus, frameKind, selfTimes, shortLocation, type CpuProfile } from '../src/profile/cpu-profile.js'
import { flameGraphSvg } from '../src/profile/flame-graph-svg.js'

const APP = 'file:///repo/apps/consumer-service/dist/auth/authenticate.js'
const DEP = 'file:///repo/node_modules/.pnpm/fast-jwt@6.3.6/node_modules/fast-jwt/src/verifier.js'

/**
 * (root) → authenticate → verify → verifyOneShot (native), and (root) → (idle), (garbage collector).
 * Samples every 100 µs: authenticate 1, verify 2, verifyOneShot 5, idle 3, GC 1 (the last gets the average).
 */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 5, 6] },
    { id: 2, callFrame: { functionName: 'authenticate', url: APP, lineNumber: 9 }, children: [3] },
    { id: 3, callFrame: { functionName: 'verify', url: DEP, lineNumber: 299 }, children: [4] },
    { id: 4, callFrame: { functionName: 'verifyOneShot', url: '', lineNumber: -1 } },
    { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    { id: 6, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } }
  ],
  startTime: 0,
  endTime: 1200,
  samples: [2, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 6],
  timeDeltas: [0, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
}

describe('callTree', () => {
  const tree = callTree(PROFILE)

  it('weighs each frame by its samples and leaves out idle time', () => {
    expect(tree.total).toBe(900)
    const [gc, authenticate] = tree.children
    expect(authenticate).toMatchObject({
      name: 'authenticate (apps/consumer-service/dist/auth/authenticate.js:10)',
      kind: 'ours',
      self: 100,
      total: 800
    })
    expect(authenticate?.children[0]).toMatchObject({
      name: 'verify (fast-jwt/src/verifier.js:300)',
      kind: 'dependency',
      self: 200,
      total: 700
    })
    expect(authenticate?.children[0]?.children[0]).toMatchObject({ name: 'verifyOneShot', kind: 'node', total: 500 })
    expect(gc).toMatchObject({ name: '(garbage collector)', kind: 'engine', total: 100 })
  })

  it('lists self time by function, largest first', () => {
    expect(selfTimes(tree).map(({ name, self }) => [name.split(' ')[0], self]))
      .toEqual([['verifyOneShot', 500], ['verify', 200], ['(garbage', 100], ['authenticate', 100]])
  })

  it('roots a tree at one function', () => {
    expect(focus(tree, 'verify')).toMatchObject({ name: 'verify', total: 700, self: 200 })
  })
})

describe('shortLocation and frameKind', () => {
  it.each([
    [DEP, 'fast-jwt/src/verifier.js', 'dependency'],
    [APP, 'apps/consumer-service/dist/auth/authenticate.js', 'ours'],
    ['node:internal/crypto/sig', 'node:internal/crypto/sig', 'node'],
    ['', '', 'node']
  ])('%s is %s (%s)', (url, short, kind) => {
    expect(shortLocation(url)).toBe(short)
    expect(frameKind(url, 'f')).toBe(kind)
  })
})

describe('flameGraphSvg', () => {
  const svg = flameGraphSvg(callTree(PROFILE), { title: 'fresh <RS256>', subtitle: 'in-process', width: 1020 })

  it('draws every frame with its share, widths in proportion, labels escaped', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1020"/)
    expect(svg).toContain('fresh &#60;RS256&#62;')
    expect(svg).toContain('<title>verifyOneShot: 0.5 ms, 55.6 % (self 0.5 ms)</title>')
    // 1000 px for 900 µs, siblings in name order: the collector's 100 µs, then authenticate's 800.
    expect(svg).toMatch(/<title>\(garbage collector\)[^<]*<\/title><rect x="10.00" y="\d+" width="111.11"/)
    expect(svg).toMatch(/<title>authenticate [^<]*<\/title><rect x="121.11" y="\d+" width="888.89"/)
    // 111 px hold 15 characters: the label is cut, the title keeps the whole name.
    expect(svg).toContain('>(garbage coll..</text>')
    expect(svg).not.toContain('(idle)')
  })
})
