import { parseArgs } from 'node:util'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { startFakeIssuer } from '@repo/service-harness/fake-issuer'
import { proofVerifyCostMicros, verifyCostMicros } from '../verify-cost.js'
import { bareTarget, referenceTarget } from './floor-targets.js'
import { consumerTarget, cpuMicros, freshRequests, type Headers, type Scheme, type Target } from './in-process.js'

/**
 * `node dist/profile/consumer-ab.js [--baseline=<dist>] [--algs=RS256,ES256,EdDSA] [--schemes=bearer,dpop]
 * [--blocks=20] [--block=100]`: CPU µs per fresh-token request of the consumer built in this process,
 * beside the bare route, the reference verifier (peers/fastify-node-crypto.ts) and, with `--baseline`,
 * another build of the consumer (a copy of an older `dist`), all in one run: short blocks of
 * `--block` injected requests, one block per server in turn (the order turns every block), after two
 * blocks of warm-up (and, first of all, 1500 requests of each scenario to every server). Each ratio
 * is the median of the per-block ratios, so a slow patch of a shared machine slows both sides of it.
 * "ceiling" is the bare route plus one verification of the token's algorithm (and, with DPoP, one of
 * the ES256 proof), measured in every block too. A baseline build whose fast-jwt differs needs its own
 * node_modules beside its dist (and NODE_PATH for their dependencies): see docs/performance.md.
 */
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    algs: { type: 'string', default: SIGNING_ALGORITHMS.join(',') },
    schemes: { type: 'string', default: 'bearer,dpop' },
    blocks: { type: 'string', default: '20' },
    block: { type: 'string', default: '100' }
  }
})
const algs = values.algs.split(',') as SigningAlgorithm[]
const schemes = values.schemes.split(',') as Scheme[]
const blocks = Number(values.blocks)
const blockSize = Number(values.block)
const WARMUP_BLOCKS = 2
const WARMUP_REQUESTS = 1500

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b)
  const middle = sorted.length / 2
  return sorted.length % 2 === 1
    ? sorted[Math.floor(middle)] as number
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

async function perRequest (target: Target, requests: Headers[]): Promise<number> {
  const started = cpuMicros()
  for (const headers of requests) await target.call(headers)
  return (cpuMicros() - started) / requests.length
}

const issuer = await startFakeIssuer()
const targets: Target[] = [await bareTarget(), await referenceTarget(issuer)]
if (values.baseline !== undefined) targets.push(await consumerTarget('baseline', issuer, values.baseline))
targets.push(await consumerTarget('consumer', issuer))
try {
  // Every server's code compiled and its caches at steady size before the first block counts.
  for (const alg of algs) {
    for (const scheme of schemes) {
      const warmup = freshRequests(issuer, alg, scheme, WARMUP_REQUESTS)
      for (const target of targets) for (const headers of warmup) await target.call(headers)
    }
  }
  console.log(`${blocks} blocks of ${blockSize} requests per server, ${process.version}; CPU µs per request, median`)
  console.log(['alg', 'scheme', ...targets.map(({ name }) => name), 'ceiling',
    '× ceiling', '× reference', ...(values.baseline === undefined ? [] : ['× baseline'])].join('\t'))
  for (const alg of algs) {
    for (const scheme of schemes) {
      const requests = freshRequests(issuer, alg, scheme, (blocks + WARMUP_BLOCKS) * blockSize)
      const figures = new Map(targets.map(({ name }) => [name, [] as number[]]))
      const ratios = { ceiling: [] as number[], reference: [] as number[], baseline: [] as number[] }
      const ceilings: number[] = []
      for (let block = 0; block < blocks + WARMUP_BLOCKS; block++) {
        const slice = requests.slice(block * blockSize, (block + 1) * blockSize)
        const turn = block % targets.length
        const order = [...targets.slice(turn), ...targets.slice(0, turn)]
        const measured = new Map<string, number>()
        for (const target of order) measured.set(target.name, await perRequest(target, slice))
        const verifyMicros = verifyCostMicros(alg, 200) + (scheme === 'dpop' ? proofVerifyCostMicros(200) : 0)
        if (block < WARMUP_BLOCKS) continue
        for (const [name, micros] of measured) figures.get(name)?.push(micros)
        const consumer = measured.get('consumer') as number
        const ceiling = (measured.get('bare') as number) + verifyMicros
        ceilings.push(ceiling)
        ratios.ceiling.push(consumer / ceiling)
        ratios.reference.push(consumer / (measured.get('reference') as number))
        if (measured.has('baseline')) ratios.baseline.push(consumer / (measured.get('baseline') as number))
      }
      console.log([alg, scheme, ...targets.map(({ name }) => median(figures.get(name) ?? []).toFixed(1)),
        median(ceilings).toFixed(1), median(ratios.ceiling).toFixed(2), median(ratios.reference).toFixed(2),
        ...(ratios.baseline.length === 0 ? [] : [median(ratios.baseline).toFixed(2)])].join('\t'))
    }
  }
} finally {
  for (const target of targets) await target.close()
  await issuer.close()
}
