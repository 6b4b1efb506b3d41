import type { Options } from 'autocannon'
import { startFakeIssuer, type FakeIssuer, type TestKey } from '@repo/service-harness/fake-issuer'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import type { IssuerRun, IssuerSetup, IssuersReport } from '../issuers-report.js'
import { cannon, cycle, toRun } from '../measure.js'
import { cpuMicros, pidListeningOn } from '../proc-stats.js'
import { POOL_SIZE, QUIET, plan, progress, quick } from '../run.js'

const ISSUERS = 20
const KEYS_PER_ISSUER = 100
/** Paced, the same for both setups: CPU per request falls as load rises, so both get one rate. */
const OFFERED_RATE = 400
const CONNECTIONS = 16
const ROUNDS = quick ? 1 : 6
const RUN_SECONDS = quick ? 1 : 3
const LIFETIME_SECONDS = 3600

interface Setup {
  name: IssuerSetup
  issuers: FakeIssuer[]
  consumer: ServiceProcess
  pid: number
  next: () => string
  stop: () => Promise<void>
}

/**
 * `count` kids for one issuer's key: the same RSA key published under each (2000 RSA key pairs would
 * take minutes to generate). The consumer imports and keeps one key per (issuer, kid) all the same.
 */
function publishKids (issuer: FakeIssuer, key: TestKey, count: number): TestKey[] {
  const kids = Array.from({ length: count }, (_, n) => ({ ...key, kid: `${key.kid.slice(0, 8)}-${n}` }))
  issuer.state.published = kids.map((kid) => ({ ...key.jwk, kid: kid.kid }))
  return kids
}

/** Fresh tokens, token `i` from issuer `i % issuers` with kid `⌊i / issuers⌋ % kids`. */
function mintSpread (issuers: FakeIssuer[], kids: TestKey[][], size: number): string[] {
  const exp = Math.floor(Date.now() / 1000) + LIFETIME_SECONDS
  return Array.from({ length: size }, (_, i) => {
    const issuer = issuers[i % issuers.length] as FakeIssuer
    const keys = kids[i % issuers.length] as TestKey[]
    return issuer.token(keys[Math.floor(i / issuers.length) % keys.length], { claims: { sub: `bench-${i}`, exp } })
  })
}

async function startSetup (name: IssuerSetup, issuerCount: number, keysEach: number): Promise<Setup> {
  const issuers: FakeIssuer[] = []
  const dir = await tempDir('bench-issuers-')
  let consumer: ServiceProcess | undefined
  const stop = async () => {
    await consumer?.stop()
    await Promise.all(issuers.map((issuer) => issuer.close()))
    await dir.remove()
  }
  try {
    const kids: TestKey[][] = []
    for (let n = 0; n < issuerCount; n++) {
      const issuer = await startFakeIssuer()
      issuers.push(issuer)
      kids.push(publishKids(issuer, issuer.keys.RS256, keysEach))
    }
    const trusted = issuers.map((issuer) => ({ issuer: issuer.origin, jwks_uri: issuer.jwksUrl }))
    const port = await freePort()
    consumer = startService('consumer-service', port,
      { ...QUIET, DATA_DIR: dir.path, TRUSTED_ISSUERS: JSON.stringify(trusted) })
    await consumer.waitUntilReady()
    const next = cycle(mintSpread(issuers, kids, POOL_SIZE))
    return { name, issuers, consumer, pid: await pidListeningOn(port), next, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** One paced run of fresh tokens, with the consumer's CPU per answered request. */
async function run (setup: Setup, round: number, seconds: number): Promise<IssuerRun> {
  const load: Options = {
    url: `${setup.consumer.url}/api/v1/protected`,
    connections: CONNECTIONS,
    overallRate: OFFERED_RATE,
    duration: seconds,
    requests: [{
      setupRequest: (request) =>
        ({ ...request, headers: { ...request.headers, authorization: `Bearer ${setup.next()}` } })
    }]
  }
  const before = await cpuMicros(setup.pid).catch(() => Number.NaN)
  const result = toRun(await cannon(load))
  const used = await cpuMicros(setup.pid).catch(() => Number.NaN) - before
  const cpuMicrosPerRequest = result.total > 0 && Number.isFinite(used)
    ? Math.round((used / result.total) * 10) / 10
    : null
  const non200 = Object.entries(result.statuses)
    .filter(([status]) => status !== '200').reduce((sum, [, n]) => sum + n, 0)
  return {
    round,
    setup: setup.name,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    total: result.total,
    non200,
    errors: result.errors,
    cpuMicrosPerRequest
  }
}

/**
 * Scenario 10: the consumer trusting 20 issuers with 100 keys each beside one issuer with one key,
 * fresh RS256 tokens spread over every issuer and kid, at one paced rate, the setups alternating.
 */
export async function manyIssuersScenario (): Promise<IssuersReport> {
  progress(`10. the consumer trusting ${ISSUERS} issuers × ${KEYS_PER_ISSUER} keys beside 1 × 1, ` +
    `${ROUNDS} interleaved round(s) of ${RUN_SECONDS} s at ${OFFERED_RATE} req/s`)
  const report: IssuersReport = {
    plan: {
      rounds: ROUNDS, runSeconds: RUN_SECONDS, offeredRate: OFFERED_RATE, connections: CONNECTIONS, poolSize: POOL_SIZE
    },
    runs: [],
    jwksFetches: {}
  }
  const setups: Setup[] = []
  try {
    setups.push(await startSetup('1 issuer × 1 key', 1, 1))
    setups.push(await startSetup('20 issuers × 100 keys', ISSUERS, KEYS_PER_ISSUER))
    // Every issuer's JWKS fetched and every kid's key imported before the measured rounds.
    const warmup = Math.max(plan.warmupSeconds, 1)
    for (const setup of setups) await run(setup, 0, warmup)
    for (let round = 1; round <= ROUNDS; round++) {
      for (const setup of round % 2 === 1 ? setups : [...setups].reverse()) {
        const result = await run(setup, round, RUN_SECONDS)
        report.runs.push(result)
        progress(`issuers ${round}/${ROUNDS} ${setup.name}: ${result.requestsPerSecond} req/s, ` +
          `${result.cpuMicrosPerRequest ?? '?'} µs CPU/req, p99 ${result.p99Ms} ms`)
      }
    }
    for (const setup of setups) {
      report.jwksFetches[setup.name] = setup.issuers.reduce((sum, issuer) => sum + issuer.state.requests.jwks, 0)
    }
  } catch (error) {
    report.error = (error as Error).message
    progress(`issuers: ${report.error}`)
  } finally {
    await Promise.all(setups.map((setup) => setup.stop()))
  }
  return report
}
