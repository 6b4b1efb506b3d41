// An interleaved A/B of servers under the peer load (50 connections, a fresh RS256 token per request from
// a pool of 5000), after `pnpm turbo run build` (docs/performance.md#memory):
//   node bench/scripts/memory-ab.mjs --mode=rss --seconds=15 --blocks=2 bare /tmp/before/dist/server.js consumer
//     each variant started afresh per block: RSS at start and peak (VmHWM) after the load
//   node bench/scripts/memory-ab.mjs --mode=cpu --seconds=3 --blocks=8 consumer 'consumer|--max-semi-space-size=8'
//     every variant kept running, CPU µs per request by block, median of the per-block ratio to the first
// A variant: `bare`, `consumer` (as the harness starts it), or a consumer's dist/server.js (started with no
// flags), each with `|NODE_OPTIONS` if wanted. A copy of a consumer's dist inside apps/consumer-service
// resolves its dependencies.
import { readFile, writeFile } from 'node:fs/promises'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFakeIssuer } from '@repo/service-harness/fake-issuer'
import { startProcess, startService } from '@repo/service-harness/service-process'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { cannon, cycle } from '../dist/measure.js'
import { cpuMicros, pidListeningOn } from '../dist/proc-stats.js'
import { mintTokens } from '../dist/token-pool.js'

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback
const mode = arg('mode', 'rss')
const seconds = Number(arg('seconds', 20))
const blocks = Number(arg('blocks', 3))
const connections = Number(arg('connections', 50))
const alg = arg('alg', 'RS256')
const traceDir = arg('trace', '')
const variants = process.argv.slice(2).filter((a) => !a.startsWith('--'))

const issuer = await startFakeIssuer()
const next = cycle(mintTokens(issuer, alg, 5000))
const load = {
  connections,
  requests: [{ setupRequest: (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${next()}` } }) }]
}
const status = async (pid) => {
  const text = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (k) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(text)?.[1]) / 1024)
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

async function start (variant, tag) {
  const [what, nodeOptions] = variant.split('|')
  const env = { LOG_LEVEL: 'warn', ISSUER: issuer.origin, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) }
  const port = await freePort()
  const dir = await tempDir('mem-ab-')
  const proc = what === 'bare'
    ? startProcess('bare', join(DIST, 'bare-server.js'), port, env)
    : what === 'consumer'
      ? startService('consumer-service', port, { ...env, DATA_DIR: dir.path })
      : startProcess('consumer', what, port, { ...env, DATA_DIR: dir.path })
  await proc.waitUntilReady()
  const pid = await pidListeningOn(port)
  return {
    variant,
    proc,
    pid,
    async stop () {
      if (traceDir) await writeFile(join(traceDir, `${tag}.log`), proc.output())
      await proc.stop(); await dir.remove()
    }
  }
}

async function run (server, secs) {
  const before = await cpuMicros(server.pid)
  const result = await cannon({ url: `${server.proc.url}/api/v1/protected`, duration: secs, ...load })
  const used = await cpuMicros(server.pid) - before
  const ok = result['2xx']
  const bad = result.non2xx + result.errors + result.timeouts
  return { rps: Math.round(ok / secs), cpu: Math.round(used / ok * 10) / 10, bad }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] }
const rows = Object.fromEntries(variants.map((v) => [v, []]))
try {
  if (mode === 'rss') {
    for (let b = 0; b < blocks; b++) {
      const order = [...variants.slice(b % variants.length), ...variants.slice(0, b % variants.length)]
      for (const v of order) {
        const server = await start(v, `b${b}-${v.replace(/[^a-z0-9=-]/gi, '_')}`)
        const atStart = await status(server.pid)
        const r = await run(server, seconds)
        const after = await status(server.pid)
        rows[v].push({ start: atStart.rss, hwm: after.hwm, rss: after.rss, ...r })
        console.error(`block ${b} ${v}: start ${atStart.rss} MiB, peak ${after.hwm} MiB, end ${after.rss}; ` +
          `${r.rps} req/s, ${r.cpu} µs/req, bad ${r.bad}`)
        await server.stop()
      }
    }
    for (const v of variants) {
      const xs = rows[v]
      const of = (key) => median(xs.map((x) => x[key]))
      console.log(`${v.padEnd(48)} start ${of('start')}  peak ${of('hwm')} (${xs.map((x) => x.hwm).join(', ')})  ` +
        `rps ${of('rps')}  cpu ${of('cpu')}`)
    }
  } else {
    const servers = []
    for (const v of variants) servers.push(await start(v, v.replace(/[^a-z0-9=-]/gi, '_')))
    for (const s of servers) await run(s, 2) // warm-up
    for (let b = 0; b < blocks; b++) {
      const order = b % 2 === 0 ? servers : [...servers].reverse()
      const block = {}
      for (const s of order) block[s.variant] = await run(s, seconds)
      for (const s of servers) rows[s.variant].push(block[s.variant])
      const line = servers.map((s) => `${s.variant} ${block[s.variant].rps} req/s ${block[s.variant].cpu} µs`)
      console.error(`block ${b}: ${line.join(' | ')}`)
    }
    const base = variants[0]
    for (const s of servers) {
      const xs = rows[s.variant]
      const cpuRatio = median(xs.map((x, i) => x.cpu / rows[base][i].cpu))
      const rpsRatio = median(xs.map((x, i) => x.rps / rows[base][i].rps))
      const st = await status(s.pid)
      console.log(`${s.variant.padEnd(48)} cpu ${median(xs.map((x) => x.cpu))} µs/req (×${cpuRatio.toFixed(3)})  ` +
        `rps ${median(xs.map((x) => x.rps))} (×${rpsRatio.toFixed(3)})  peak ${st.hwm} MiB  ` +
        `bad ${xs.reduce((a, x) => a + x.bad, 0)}`)
    }
    for (const s of servers) await s.stop()
  }
} finally {
  await issuer.close()
}
