import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { CpuBars, GrantsPerCore, LatencyBySize } from '../src/charts/chart-data.js'
import { cpuBarsSpec } from '../src/charts/cpu-bars.js'
import { cpuBars } from '../src/charts/cpu-per-request.js'
import { grantsPerCoreSpec } from '../src/charts/grants-per-core.js'
import { latencyBySizeSpec } from '../src/charts/latency-by-size.js'
import { renderSvg } from '../src/charts/render.js'
import { writeCharts } from '../src/charts/write-charts.js'
import type { PeerReport, PeerRun, ServerId } from '../src/peer-report.js'
import type { Report } from '../src/report.js'

const CPU: CpuBars = {
  title: 'CPU per request by server and scenario',
  unit: 'CPU µs per request',
  scenarios: ['RS256 reused', 'RS256 fresh', 'EdDSA fresh'],
  series: [
    { name: 'bare Fastify route', values: [40, 42, 41] },
    { name: 'consumer-service', values: [45, 120, 150] },
    { name: 'Express + jsonwebtoken + jwks-rsa', values: [170, 210, null] }
  ]
}

const GRANTS: GrantsPerCore = {
  title: 'client_credentials grants per busy core',
  rows: [
    { label: 'auth-service, SQLite, ES256', grantsPerCore: 4100, source: 'measured' },
    { label: 'Ory Hydra', grantsPerCore: 256, source: 'published', note: 'in-memory store, 8 vCPUs' }
  ]
}

const LATENCY: LatencyBySize = {
  title: 'Grant latency against table size',
  rows: [10_000, 100_000, 1_000_000],
  series: [{ name: 'refresh p99, SQLite', ms: [3.1, 3.3, 3.4] }, { name: 'login p50, PostgreSQL', ms: [20, 21, 22] }]
}

/** The words a chart shows: every text element's, a multi-line one's (tspan) line by line. */
const texts = (svg: string) => [...svg.matchAll(/>([^<]+)<\/(?:text|tspan)>/g)].map(([, text]) => text)

describe('the charts, drawn from fixed data', () => {
  it('draws CPU per request as bars: the title, the unit, every scenario and every server', async () => {
    const svg = await renderSvg(cpuBarsSpec(CPU))
    expect(svg.startsWith('<svg')).toBe(true)
    expect(texts(svg)).toEqual(expect.arrayContaining([
      CPU.title, CPU.unit, ...CPU.scenarios, ...CPU.series.map(({ name }) => name)
    ]))
    // One bar per figure: the n/a cell draws none.
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(8)
  })

  it('draws grants per core with the published figure\'s conditions as a numbered footnote', async () => {
    const svg = await renderSvg(grantsPerCoreSpec(GRANTS))
    expect(texts(svg)).toEqual(expect.arrayContaining([
      GRANTS.title, 'auth-service, SQLite, ES256', 'Ory Hydra [1]', '[1] in-memory store, 8 vCPUs', 'measured',
      'published', 'grants per second per busy core'
    ]))
  })

  it('draws latency against table size, the rows on a log axis labelled 10k, 100k, 1M', async () => {
    const svg = await renderSvg(latencyBySizeSpec(LATENCY))
    expect(texts(svg)).toEqual(expect.arrayContaining([
      LATENCY.title, 'rows per table', 'ms', '10k', '100k', '1M', 'refresh p99, SQLite', 'login p50, PostgreSQL'
    ]))
  })
})

function peerReport (): PeerReport {
  const run = (server: ServerId, token: PeerRun['token'], cpu: number): PeerRun => ({
    round: 1,
    server,
    alg: 'EdDSA',
    token,
    cpuMicrosPerRequest: cpu,
    requestsPerSecond: 1000,
    p50Ms: 1,
    p99Ms: 2,
    total: 1000,
    non2xx: 0,
    errors: 0,
    statuses: { 200: 1000 }
  })
  return {
    plan: { warmupSeconds: 1, runSeconds: 1, rounds: 1, connections: 50, poolSize: 5000, pacedRate: 1000, pacedSeconds: 2 },
    servers: [
      { id: 'consumer', label: 'consumer-service', peakRssMiB: 1, exited: false, unsupported: {} },
      { id: 'express', label: 'Express', peakRssMiB: 1, exited: false, unsupported: { EdDSA: 'no EdDSA' } }
    ],
    runs: [run('consumer', 'fresh', 90), run('consumer', 'fresh-paced', 130)],
    verifyMicros: {},
    proofVerifyMicros: [],
    preflight: [],
    jwksFetches: {}
  }
}

describe('cpuBars', () => {
  it('takes the paced runs, every server at one rate, and leaves n/a and unmeasured cells empty', () => {
    const bars = cpuBars(peerReport())
    expect(bars.title).toMatch(/every server offered 1000 req\/s/)
    expect(bars.scenarios).toEqual(['RS256 reused', 'RS256 fresh', 'ES256 reused', 'ES256 fresh', 'EdDSA reused', 'EdDSA fresh'])
    expect(bars.series).toEqual([
      { name: 'consumer-service', values: [null, null, null, null, null, 130] },
      { name: 'Express', values: [null, null, null, null, null, null] }
    ])
  })
})

describe('writeCharts', () => {
  it('writes the charts the run has data for, and no other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'charts-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const report = { peers: peerReport() } as Report
    expect(await writeCharts(report, dir)).toEqual([join(dir, 'cpu-per-request.svg')])
    expect(await readdir(dir)).toEqual(['cpu-per-request.svg'])
    expect(await readFile(join(dir, 'cpu-per-request.svg'), 'utf8')).toContain('consumer-service')
  })
})
