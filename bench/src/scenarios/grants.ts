import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Options } from 'autocannon'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import { KEK_FILE_NAME } from '@repo/auth-service/key-sealing'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { softHsmMissing } from '@repo/service-harness/softhsm'
import { basicCredentials, registerClient } from '../client-registration.js'
import { signCostMicros, unsealCostMicros } from '../grant-crypto-cost.js'
import { KEY_STORES, type GrantReport, type GrantResult, type GrantRun, type KeyStore } from '../grant-report.js'
import { cannon, toRun } from '../measure.js'
import { grantFlowScenarios } from './grant-flows.js'
import { cpuMicros, pidListeningOn } from '../proc-stats.js'
import { QUIET, plan, progress } from '../run.js'
import { softHsmToken, type SoftHsmToken } from '../softhsm-token.js'

/** Enough to saturate the auth service's one event loop without queueing behind the load generator. */
const CONNECTIONS = 16
const CLIENT_ID = 'bench-client'

/** A store this build or machine cannot run: the row is n/a with this reason, and the bench goes on. */
class StoreUnavailable extends Error {
  readonly code = 'BENCH_STORE_UNAVAILABLE'
}

/** The last line a process printed before it stopped: a refused start's one-line reason. */
const lastLine = (output: string) => output.trim().split('\n').at(-1)?.slice(0, 300) ?? ''

/** One load of `seconds`, with the CPU the auth process used over it, per answered grant. */
async function grantRun (pid: number, load: Options, seconds: number): Promise<GrantRun> {
  const before = await cpuMicros(pid).catch(() => Number.NaN)
  const run = toRun(await cannon({ ...load, duration: seconds }))
  const used = await cpuMicros(pid).catch(() => Number.NaN) - before
  const cpuMicrosPerGrant = run.total > 0 && Number.isFinite(used) ? Math.round((used / run.total) * 10) / 10 : null
  return { ...run, cpuMicrosPerGrant }
}

/** One grant before the load: a 200 with an access token signed with `alg`, or the run stops here. */
async function checkGrant (url: string, headers: Record<string, string>, form: string, alg: SigningAlgorithm) {
  const response = await fetch(url, { method: 'POST', headers, body: form })
  const body = await response.json() as { access_token?: string }
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`a grant answered ${response.status} ${JSON.stringify(body).slice(0, 200)}`)
  }
  const header = JSON.parse(Buffer.from(body.access_token.split('.')[0] ?? '', 'base64url').toString()) as
    { alg?: string }
  if (header.alg !== alg) throw new Error(`a grant was signed with ${header.alg}, not ${alg}`)
}

/** Starts the service; with pkcs11, a refusal or a build that ignores the store throws `StoreUnavailable`. */
async function startAuth (store: KeyStore, port: number, env: Record<string, string>): Promise<ServiceProcess> {
  const auth = startService('auth-service', port, env)
  try {
    await auth.waitUntilReady()
  } catch {
    await auth.stop()
    // The one line a refused start ends with, not the whole output, goes into the table.
    const reason = `the service did not start: ${lastLine(auth.output())}`
    throw store === 'pkcs11' ? new StoreUnavailable(reason) : new Error(reason)
  }
  // Without the pkcs11 store, the service seals its key in the database with a secret it writes to DATA_DIR.
  if (store === 'pkcs11' && existsSync(join(env.DATA_DIR as string, KEK_FILE_NAME))) {
    await auth.stop()
    throw new StoreUnavailable('this build ignores SIGNING_KEY_STORE=pkcs11 (its key was sealed into the database)')
  }
  return auth
}

/** The auth service on SQLite with `store` and `alg`, a confidential client, then `plan`'s runs of grants. */
async function measureGrants (store: KeyStore, alg: SigningAlgorithm): Promise<GrantResult> {
  const dir = await tempDir('bench-grants-')
  let token: SoftHsmToken | undefined
  let auth: ServiceProcess | undefined
  try {
    if (store === 'pkcs11') token = await softHsmToken()
    const port = await freePort()
    auth = await startAuth(store, port, {
      ...QUIET,
      ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: dir.path,
      SIGNING_ALG: alg,
      // Saturation from one address, and one client: the limits are lifted.
      OAUTH_RATE_LIMIT: '1000000/1s',
      ...token?.env
    })
    const secret = await registerClient(CLIENT_ID, { DATA_DIR: dir.path })
    const url = `${auth.url}${TOKEN_PATH}`
    const headers = {
      authorization: basicCredentials(CLIENT_ID, secret),
      'content-type': 'application/x-www-form-urlencoded'
    }
    const body = 'grant_type=client_credentials'
    await checkGrant(url, headers, body, alg)
    const load: Options = { url, method: 'POST', connections: CONNECTIONS, headers, body }
    const pid = await pidListeningOn(port)
    if (plan.warmupSeconds > 0) await grantRun(pid, load, plan.warmupSeconds)
    const runs: GrantRun[] = []
    for (let i = 0; i < plan.runs; i++) runs.push(await grantRun(pid, load, plan.runSeconds))
    return { store, alg, runs }
  } catch (error) {
    const reason = (error as Error).message
    return error instanceof StoreUnavailable
      ? { store, alg, unavailable: reason, runs: [] }
      : { store, alg, error: reason, runs: [] }
  } finally {
    await auth?.stop()
    await token?.remove()
    await dir.remove()
  }
}

/**
 * Scenario 8: `client_credentials` grants for every key store and algorithm, each on a fresh auth
 * service on SQLite, with one bare signature and one unsealing of each algorithm measured beside them.
 */
export async function grantScenarios (): Promise<GrantReport> {
  progress(`8. client_credentials grants, key stores ${KEY_STORES.join(' and ')}, ${CONNECTIONS} connections`)
  const report: GrantReport = {
    plan: { ...plan, connections: CONNECTIONS },
    results: [],
    signatureMicros: {},
    unsealMicros: {}
  }
  for (const alg of SIGNING_ALGORITHMS) {
    report.signatureMicros[alg] = signCostMicros(alg)
    report.unsealMicros[alg] = unsealCostMicros(alg)
  }
  const missing = softHsmMissing()
  if (missing !== undefined) progress(`grants: ${missing}: the pkcs11 rows are n/a`)
  for (const store of KEY_STORES) {
    for (const alg of SIGNING_ALGORITHMS) {
      const result = store === 'pkcs11' && missing !== undefined
        ? { store, alg, unavailable: 'SoftHSM2 is not installed here', runs: [] }
        : await measureGrants(store, alg)
      report.results.push(result)
      const figures = result.runs.map((run) =>
        `${run.requestsPerSecond} grants/s, ${run.cpuMicrosPerGrant ?? '?'} µs CPU`)
      progress(`grants ${store} ${alg}: ${result.error ?? result.unavailable ?? figures.join('; ')}`)
    }
  }
  report.flows = await grantFlowScenarios()
  return report
}
