import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { startFakeIssuer, type FakeIssuer } from '@repo/service-harness/fake-issuer'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { measure } from '../measure.js'
import { withConsumer } from '../consumer-process.js'
import { QUIET, plan, progress, record, report, timeToReady } from '../run.js'
import { mintTokens } from '../token-pool.js'
import { authScenarios } from './auth.js'

/** The auth service for `alg`, restarted once so the start-up measured is one with an existing DATA_DIR. */
async function withAuthService (alg: SigningAlgorithm, work: (auth: ServiceProcess, readyMs: number) => Promise<void>) {
  const dir = await tempDir('bench-auth-')
  const port = await freePort()
  // Scenario 5 saturates the login from one address: it measures throughput, so the per-IP login limit is lifted.
  const env = {
    ...QUIET,
    ISSUER: `http://127.0.0.1:${port}`,
    DATA_DIR: dir.path,
    SIGNING_ALG: alg,
    LOGIN_RATE_LIMIT: '1000000/1s'
  }
  const running: ServiceProcess[] = []
  try {
    const first = startService('auth-service', port, env)
    running.push(first)
    await first.waitUntilReady()
    await first.stop()
    const startedAt = performance.now()
    const auth = startService('auth-service', port, env)
    running.push(auth)
    await work(auth, await timeToReady(auth, startedAt))
  } finally {
    await Promise.all(running.map((service) => service.stop()))
    await dir.remove()
  }
}

/**
 * After the peer comparison (which measures the consumer's protected route): with RS256, the
 * cache-off comparison and the auth service's scenarios 4 to 6; with every algorithm, the auth
 * service's start-up and memory.
 */
export async function consumerScenarios (alg: SigningAlgorithm) {
  const issuer = await startFakeIssuer()
  try {
    if (alg === 'RS256') {
      progress('3. consumer protected route, one token, verified-token cache off (RS256)')
      await withoutTokenCache(issuer)
    }
    await withAuthService(alg, async (auth, readyMs) => {
      if (alg === 'RS256') await authScenarios(auth, issuer)
      report.processes.push({ name: `auth-service (${alg})`, peakRssMiB: await auth.peakRssMiB(), readyMs })
    })
  } finally {
    await issuer.close()
  }
}

/** The one-token scenario again with the verified-token cache off: what the cache is worth, in the same run. */
async function withoutTokenCache (issuer: FakeIssuer) {
  await withConsumer(issuer, { VERIFIED_TOKEN_CACHE: '0' }, async (consumer) => {
    const [token] = mintTokens(issuer, 'RS256', 1) as [string]
    record('protected, one token, cache off (RS256)', await measure(plan, {
      url: `${consumer.url}/api/v1/protected`, headers: { authorization: `Bearer ${token}` }
    }), { role: 'no-cache', alg: 'RS256' })
  })
}
