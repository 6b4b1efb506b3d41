import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { freePort, startService, tempDir, type ServiceProcess } from '@repo/service-harness/service-process'
import { cycle, measure } from '../measure.js'
import { POOL_SIZE, QUIET, plan, progress, record, report, timeToReady } from '../run.js'
import { mintTokens } from '../token-pool.js'
import { authScenarios } from './auth.js'

async function login (authUrl: string): Promise<string> {
  const response = await fetch(`${authUrl}/api/v1/auth`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'Jane', password: 'pass123' })
  })
  if (response.status !== 200) throw new Error(`login answered ${response.status}`)
  return (await response.json() as { access_token: string }).access_token
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

/** Scenarios 2 and 3 for one algorithm (and, with RS256, the auth service's scenarios 4 to 6). */
export async function consumerScenarios (alg: SigningAlgorithm) {
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
