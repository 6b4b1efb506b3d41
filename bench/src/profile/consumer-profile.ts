import { Session } from 'node:inspector/promises'
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { startFakeIssuer } from '@repo/service-harness/fake-issuer'
import { callTree, type CpuProfile } from './cpu-profile.js'
import { flameGraphSvg } from './flame-graph-svg.js'
import { bareTarget, referenceTarget } from './floor-targets.js'
import { consumerTarget, cpuMicros, freshRequests, type Scheme } from './in-process.js'
import { profileSummary } from './profile-summary.js'

/**
 * `node dist/profile/consumer-profile.js [--alg=RS256] [--scheme=bearer] [--requests=8000]
 * [--target=consumer] [--out=x.cpuprofile] [--svg=x.svg]`: the consumer built in this process (or, with
 * `--target`, the reference verifier or the bare route, to set beside it) answers `--requests`
 * injected requests, each with a token it has never seen (signed by the fake issuer of
 * @repo/service-harness), after a warm-up of a quarter as many; V8's sampling profiler runs over
 * those requests only (not the minting, start-up or warm-up), every 50 µs. Prints the CPU per
 * request and what the profile says; writes the profile and its flame graph if asked.
 */
const { values } = parseArgs({
  options: {
    alg: { type: 'string', default: 'RS256' },
    target: { type: 'string', default: 'consumer' },
    scheme: { type: 'string', default: 'bearer' },
    requests: { type: 'string', default: '8000' },
    out: { type: 'string' },
    svg: { type: 'string' },
    top: { type: 'string', default: '30' }
  }
})
const alg = values.alg as SigningAlgorithm
const scheme = values.scheme as Scheme
if (!SIGNING_ALGORITHMS.includes(alg) || !['bearer', 'dpop'].includes(scheme)) {
  throw new Error(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')} and --scheme bearer or dpop`)
}
const count = Number(values.requests)
const warmup = Math.ceil(count / 4)

const issuer = await startFakeIssuer()
const targets = {
  consumer: () => consumerTarget('consumer', issuer),
  reference: () => referenceTarget(issuer),
  bare: () => bareTarget()
}
const build = targets[values.target as keyof typeof targets]
if (build === undefined) throw new Error(`--target must be one of ${Object.keys(targets).join(', ')}`)
const consumer = await build()
const session = new Session()
try {
  const requests = freshRequests(issuer, alg, scheme, warmup + count)
  for (let i = 0; i < warmup; i++) await consumer.call(requests[i] ?? {})
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 50 })
  await session.post('Profiler.start')
  const started = cpuMicros()
  for (let i = warmup; i < warmup + count; i++) await consumer.call(requests[i] ?? {})
  const perRequest = (cpuMicros() - started) / count
  const { profile } = await session.post('Profiler.stop') as { profile: CpuProfile }
  const what = `${count} fresh ${alg} ${scheme === 'dpop' ? 'DPoP-bound tokens with proofs' : 'bearer tokens'}`
  console.log(`${consumer.name}, ${what}: ${perRequest.toFixed(1)} µs CPU per request (profiler on)\n`)
  const tree = callTree(profile)
  console.log(profileSummary(tree, Number(values.top), count))
  if (values.out !== undefined) await writeFile(values.out, JSON.stringify(profile))
  if (values.svg !== undefined) {
    const subtitle = `built in-process, ${what} through app.inject, ${(tree.total / count).toFixed(0)} µs ` +
      `sampled per request (bench/src/profile/consumer-profile.ts, ${process.version})`
    const title = `${consumer.name}: a fresh ${alg} token per request`
    await writeFile(values.svg, flameGraphSvg(tree, { title, subtitle }))
    console.log(`\nwrote ${values.svg}`)
  }
} finally {
  session.disconnect()
  await consumer.close()
  await issuer.close()
}
