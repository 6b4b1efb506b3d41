import { JWKS_PATH } from '@repo/contracts/jwks'
import { LOGIN_PATH } from '@repo/contracts/login'
import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import type { ServiceProcess } from '@repo/service-harness/service-process'
import { cannon, cycle, measure, single } from '../measure.js'
import { FLOOD_COOLDOWN_SECONDS, FLOOD_SECONDS, plan, progress, record } from '../run.js'
import { unknownKidTokens } from '../token-pool.js'
import { withConsumer } from '../consumer-process.js'

/** Scenarios 4 to 6: the JWKS route, login saturation with probes, and the unknown-kid flood against a consumer. */
export async function authScenarios (auth: ServiceProcess, issuer: FakeIssuer) {
  progress('4. JWKS route')
  const jwksUrl = `${auth.url}${JWKS_PATH}`
  const etag = (await fetch(jwksUrl)).headers.get('etag') as string
  record('JWKS', await measure(plan, { url: jwksUrl }), { role: 'jwks' })
  record('JWKS, If-None-Match (304)', await measure(plan, { url: jwksUrl, headers: { 'if-none-match': etag } }), {
    role: 'jwks-304',
    expectStatus: 304
  })

  progress('5. login saturated, with JWKS and health probes')
  // A login costs a full scrypt (tens of ms, more on a busy machine): even the quick run needs a few
  // seconds to see any answers at all.
  const duration = Math.max(plan.runSeconds * plan.runs, 3)
  const [logins, jwks, health] = await Promise.all([
    cannon({
      url: `${auth.url}${LOGIN_PATH}`,
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
  await flood(issuer)
}

async function flood (issuer: FakeIssuer) {
  await withConsumer(issuer, { JWKS_COOLDOWN: `${FLOOD_COOLDOWN_SECONDS}s` }, async (consumer) => {
    const next = cycle(unknownKidTokens(issuer, 1000))
    const before = issuer.state.requests.jwks
    const result = await cannon({
      url: `${consumer.url}/api/v1/protected`,
      duration: FLOOD_SECONDS,
      requests: [{
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${next()}` } })
      }]
    })
    const fetches = issuer.state.requests.jwks - before
    // A fetch at the very start and one at the very end both count: the run touches D/C + 1 windows.
    const windows = Math.floor(FLOOD_SECONDS / FLOOD_COOLDOWN_SECONDS) + 1
    record('unknown-kid flood', single(result), {
      role: 'flood',
      expectStatus: 401,
      flood: {
        requests: result.requests.total,
        jwksFetches: fetches,
        cooldownSeconds: FLOOD_COOLDOWN_SECONDS,
        windows
      }
    })
  })
}
