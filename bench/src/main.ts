import { writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { freePort, startProcess, startService, tempDir, type ServiceProcess } from '@repo/service-harness/service-process'
import { startProxy } from '@repo/service-harness/proxy'
import { cannon, cycle, measure, single, type Plan, type Summary } from './measure.js'
import { printReport, type Report, type ScenarioResult } from './report.js'
import { mintTokens, unknownKidTokens } from './token-pool.js'
import { verifyCostMicros } from './verify-cost.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const quick = process.argv.includes('--quick')
const plan: Plan = quick ? { warmupSeconds: 0, runSeconds: 1, runs: 1 } : { warmupSeconds: 2, runSeconds: 5, runs: 3 }
// Larger than the consumer's verified-token cache (1000), so every request is a miss.
const POOL_SIZE = quick ? 2000 : 5000
const FLOOD_SECONDS = quick ? 3 : 10
const FLOOD_COOLDOWN_SECONDS = 1
const QUIET = { LOG_LEVEL: 'warn' }

const report: Report = {
  mode: quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  plan,
  scenarios: [],
  processes: [],
  verifyMicros: {}
}

function progress (line: string) {
  process.stderr.write(`bench: ${line}\n`)
}

function record (name: string, summary: Summary, extra: Pick<ScenarioResult, 'role'> & Partial<ScenarioResult>): ScenarioResult {
  const result: ScenarioResult = { name, ...summary, ...extra }
  report.scenarios.push(result)
  progress(`${name}: ${summary.median.requestsPerSecond} req/s, p99 ${summary.median.p99Ms} ms`)
  return result
}

async function timeToReady (service: ServiceProcess, startedAt: number): Promise<number> {
  await service.waitUntilReady()
  return Math.round(performance.now() - startedAt)
}

async function login (authUrl: string): Promise<string> {
  const response = await fetch(`${authUrl}/api/v1/auth`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'Jane', password: 'pass123' })
  })
  if (response.status !== 200) throw new Error(`login answered ${response.status}`)
  return (await response.json() as { access_token: string }).access_token
}

async function bare (): Promise<void> {
  progress('1. bare Fastify route')
  const port = await freePort()
  const server = startProcess('bare-fastify', join(HERE, 'bare-server.js'), port, QUIET)
  try {
    await server.waitUntilReady()
    record('bare route', await measure(plan, { url: `${server.url}/api/v1/protected` }), { role: 'baseline' })
    report.processes.push({ name: 'bare-fastify', peakRssMiB: await server.peakRssMiB() })
  } finally {
    await server.stop()
  }
}

async function withPair (alg: SigningAlgorithm, work: (auth: ServiceProcess, consumer: ServiceProcess, dataDir: string, issuer: string) => Promise<void>) {
  const authDir = await tempDir('bench-auth-')
  const consumerDir = await tempDir('bench-consumer-')
  const authPort = await freePort()
  const issuer = `http://127.0.0.1:${authPort}`
  const authEnv = { ...QUIET, ISSUER: issuer, DATA_DIR: authDir.path, SIGNING_ALG: alg }
  const running: ServiceProcess[] = []
  try {
    // First start creates the key; the second is the one measured: start-up with an existing DATA_DIR.
    const first = startService('auth-service', authPort, authEnv)
    running.push(first)
    await first.waitUntilReady()
    await first.stop()
    const authStart = performance.now()
    const auth = startService('auth-service', authPort, authEnv)
    running.push(auth)
    const authReadyMs = await timeToReady(auth, authStart)
    const consumerStart = performance.now()
    const consumer = startService('consumer-service', await freePort(), { ...QUIET, ISSUER: issuer, DATA_DIR: consumerDir.path })
    running.push(consumer)
    const consumerReadyMs = await timeToReady(consumer, consumerStart)
    await work(auth, consumer, authDir.path, issuer)
    report.processes.push(
      { name: `auth-service (${alg})`, peakRssMiB: await auth.peakRssMiB(), readyMs: authReadyMs },
      { name: `consumer-service (${alg})`, peakRssMiB: await consumer.peakRssMiB(), readyMs: consumerReadyMs }
    )
  } finally {
    await Promise.all(running.map((service) => service.stop()))
    await authDir.remove()
    await consumerDir.remove()
  }
}

async function consumerScenarios (alg: SigningAlgorithm) {
  progress(`2-3. consumer protected route, ${alg}`)
  await withPair(alg, async (auth, consumer, dataDir, issuer) => {
    const url = `${consumer.url}/api/v1/protected`
    const token = await login(auth.url)
    record(`protected, one token (${alg})`, await measure(plan, { url, headers: { authorization: `Bearer ${token}` } }), { role: 'one-token', alg })

    const next = cycle(await mintTokens({ dataDir, alg, issuer, size: POOL_SIZE }))
    record(`protected, ${POOL_SIZE} tokens (${alg})`, await measure(plan, {
      url,
      requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${next()}` } }) }]
    }), { role: 'token-pool', alg })

    if (alg === 'RS256') {
      await withoutTokenCache(issuer, url.replace(consumer.url, ''), token)
      await authScenarios(auth, issuer)
    }
  })
}

/** The one-token scenario again with the verified-token cache off: what the cache is worth, in the same run. */
async function withoutTokenCache (issuer: string, path: string, token: string) {
  const dir = await tempDir('bench-nocache-')
  const consumer = startService('consumer-service', await freePort(), { ...QUIET, ISSUER: issuer, DATA_DIR: dir.path, VERIFIED_TOKEN_CACHE_SECONDS: '0' })
  try {
    await consumer.waitUntilReady()
    record('protected, one token, cache off (RS256)', await measure(plan, { url: `${consumer.url}${path}`, headers: { authorization: `Bearer ${token}` } }), { role: 'no-cache', alg: 'RS256' })
  } finally {
    await consumer.stop()
    await dir.remove()
  }
}

async function authScenarios (auth: ServiceProcess, issuer: string) {
  progress('4. JWKS route')
  const jwksUrl = `${auth.url}/.well-known/jwks.json`
  const etag = (await fetch(jwksUrl)).headers.get('etag') as string
  record('JWKS', await measure(plan, { url: jwksUrl }), { role: 'jwks' })
  record('JWKS, If-None-Match (304)', await measure(plan, { url: jwksUrl, headers: { 'if-none-match': etag } }), { role: 'jwks-304', expectStatus: 304 })

  progress('5. login saturated, with JWKS and health probes')
  const duration = plan.runSeconds * plan.runs
  const [logins, jwks, health] = await Promise.all([
    cannon({
      url: `${auth.url}/api/v1/auth`,
      method: 'POST',
      connections: 8,
      duration,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'Jane', password: 'pass123' })
    }),
    cannon({ url: jwksUrl, connections: 1, overallRate: 50, duration }),
    cannon({ url: `${auth.url}/health/ready`, connections: 1, overallRate: 50, duration })
  ])
  record('login (saturated)', single(logins), { role: 'login' })
  record('JWKS while login is saturated', single(jwks), { role: 'probe' })
  record('health while login is saturated', single(health), { role: 'probe' })

  progress('6. unknown-kid flood')
  await flood(auth, issuer)
}

async function flood (auth: ServiceProcess, issuer: string) {
  const proxy = await startProxy(auth.url)
  const dir = await tempDir('bench-flood-')
  const consumer = startService('consumer-service', await freePort(), {
    ...QUIET, ISSUER: issuer, JWKS_URL: `${proxy.url}/.well-known/jwks.json`, DATA_DIR: dir.path, JWKS_COOLDOWN_SECONDS: String(FLOOD_COOLDOWN_SECONDS)
  })
  try {
    await consumer.waitUntilReady()
    const next = cycle(await unknownKidTokens(issuer, 1000))
    const before = proxy.counter.requests
    const result = await cannon({
      url: `${consumer.url}/api/v1/protected`,
      duration: FLOOD_SECONDS,
      requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${next()}` } }) }]
    })
    const fetches = proxy.counter.requests - before
    // A fetch at the very start and one at the very end both count: the run touches D/C + 1 windows.
    const windows = Math.floor(FLOOD_SECONDS / FLOOD_COOLDOWN_SECONDS) + 1
    record('unknown-kid flood', single(result), {
      role: 'flood', expectStatus: 401, flood: { requests: result.requests.total, jwksFetches: fetches, cooldownSeconds: FLOOD_COOLDOWN_SECONDS, windows }
    })
  } finally {
    await consumer.stop()
    await proxy.close()
    await dir.remove()
  }
}

async function main (): Promise<number> {
  progress(`${report.mode} run: ${plan.runs} run(s) of ${plan.runSeconds} s after ${plan.warmupSeconds} s warm-up, per scenario`)
  await bare()
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    report.verifyMicros[alg] = verifyCostMicros(alg)
    await consumerScenarios(alg)
  }
  const failures = printReport(report)
  const file = join(HERE, '..', 'results', 'latest.json')
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
  progress(`wrote ${file}`)
  return failures > 0 ? 1 : 0
}

process.exitCode = await main()
