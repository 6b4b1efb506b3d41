import { startProxy } from '@repo/service-harness/proxy'
import { freePort, startService, tempDir, type ServiceProcess } from '@repo/service-harness/service-process'
import { cannon, cycle, measure, single } from '../measure.js'
import { FLOOD_COOLDOWN_SECONDS, FLOOD_SECONDS, QUIET, plan, progress, record } from '../run.js'
import { unknownKidTokens } from '../token-pool.js'

/** Scenarios 4 to 6: the JWKS route, login saturation with probes, and the unknown-kid flood. */
export async function authScenarios (auth: ServiceProcess, issuer: string) {
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
