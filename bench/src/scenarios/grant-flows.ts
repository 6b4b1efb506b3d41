import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Options } from 'autocannon'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { AUTHORIZATION_PATH } from '@repo/contracts/authorization'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { startCallbackServer, type CallbackServer } from '@repo/service-harness/callback-server'
import { FormBrowser } from '@repo/service-harness/form-browser'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startPostgresServer, type PostgresServer } from '@repo/service-harness/postgres-server'
import { runAuthCli, startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { logInThroughBrowser } from '@repo/service-harness/session-login'
import { basicCredentials, registerClient } from '../client-registration.js'
import { signCostMicros } from '../grant-crypto-cost.js'
import {
  GRANT_DATABASES, GRANT_FLOWS, type GrantDatabase, type GrantFlow, type GrantFlowReport, type GrantFlowRun
} from '../grant-flow-report.js'
import {
  CODE_VERIFIER, FORM, TOKEN_URL, assertionGrantLoad, assertionKeys, authorizationCodes, codeGrantLoad,
  refreshGrantLoad,
  secretGrantLoad, type CodeClient
} from '../grant-requests.js'
import { cannon } from '../measure.js'
import { cpuMicros, pidListeningOn } from '../proc-stats.js'
import { QUIET, plan, progress, quick } from '../run.js'
import { verifyCostMicros } from '../verify-cost.js'

const CONNECTIONS = 16
/** Grants of one pool-fed run (an assertion or a code each): about a run's length at the rates seen here. */
const POOL_GRANTS = quick ? 400 : 2500
/** The smoke run checks every flow on both databases with one algorithm; a full run measures all three. */
const FLOW_ALGORITHMS: readonly SigningAlgorithm[] = quick ? ['ES256'] : SIGNING_ALGORITHMS
const SECRET_CLIENT = 'bench-secret'
const JWT_CLIENT = 'bench-jwt'
const APP_CLIENT = 'bench-app'

/** One auth service, its clients registered, and what each flow needs to make its load. */
interface Setup {
  auth: ServiceProcess
  pid: number
  issuer: string
  secretAuthorization: string
  jwtKey: ReturnType<typeof assertionKeys>['privateKey']
  codeClient: CodeClient
}

async function setUp (database: GrantDatabase, alg: SigningAlgorithm, postgres: PostgresServer | undefined,
  callback: CallbackServer, dir: string): Promise<Setup> {
  const dbEnv: Record<string, string> = postgres
    ? { DATABASE_URL: await postgres.createDatabase(), KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url') }
    : { DATA_DIR: join(dir, `${database}-${alg}`) }
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const auth = startService('auth-service', port, {
    ...QUIET, ...dbEnv, ISSUER: issuer, SIGNING_ALG: alg, OAUTH_RATE_LIMIT: '1000000/1s', LOGIN_RATE_LIMIT: '1000000/1s'
  })
  await auth.waitUntilReady()
  const cliEnv = { ...dbEnv, DATA_DIR: dbEnv.DATA_DIR ?? dir }
  const secret = await registerClient(SECRET_CLIENT, cliEnv)
  const { privateKey, jwks } = assertionKeys()
  const jwksFile = join(dir, `jwks-${database}-${alg}.json`)
  await writeFile(jwksFile, JSON.stringify(jwks))
  const added = await runAuthCli('clients', ['add', JWT_CLIENT, '--auth', 'private_key_jwt', '--jwks-file', jwksFile,
    '--scope', 'reports:read'], cliEnv)
  if (added.code !== 0) throw new Error(`clients add ${JWT_CLIENT} exited with ${added.code}: ${added.stderr}`)
  const redirectUri = callback.uri('/grants')
  await registerBrowserClient(cliEnv, { clientId: APP_CLIENT, redirectUris: [redirectUri] })
  const browser = new FormBrowser()
  await logInThroughBrowser({
    issuer, clientId: APP_CLIENT, redirectUri, browser, user: { userName: 'Jane', password: 'pass123' }
  })
  const cookie = browser.jar.header(new URL(AUTHORIZATION_PATH, issuer)) ?? ''
  const codeClient = { issuer, clientId: APP_CLIENT, redirectUri, cookie }
  return {
    auth,
    pid: await pidListeningOn(port),
    issuer,
    secretAuthorization: basicCredentials(SECRET_CLIENT, secret),
    jwtKey: privateKey,
    codeClient
  }
}

/**
 * Two refresh tokens a connection, from code exchanges, made for each refresh run: every answer's
 * successor goes back into the pool, but the requests a run leaves unanswered when it ends take
 * theirs with them.
 */
async function refreshTokens (client: CodeClient): Promise<string[]> {
  return Promise.all((await authorizationCodes(client, 2 * CONNECTIONS)).map(async (code) => {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: CODE_VERIFIER,
      client_id: client.clientId
    })
    const response = await fetch(TOKEN_URL(client.issuer), { method: 'POST', headers: FORM, body })
    const answer = await response.json() as { refresh_token?: string }
    if (response.status !== 200 || answer.refresh_token === undefined) {
      throw new Error(`a code exchange answered ${response.status} without a refresh token`)
    }
    return answer.refresh_token
  }))
}

/** The load of one run of `flow` (made now: assertions and codes are single-use and short-lived). */
async function loadFor (flow: GrantFlow, setup: Setup, grants: number): Promise<Options> {
  const url = TOKEN_URL(setup.issuer)
  if (flow === 'client_secret_basic') return { ...secretGrantLoad(url, setup.secretAuthorization) }
  if (flow === 'private_key_jwt') return assertionGrantLoad(url, setup.issuer, JWT_CLIENT, setup.jwtKey, grants)
  if (flow === 'refresh_token') return refreshGrantLoad(url, APP_CLIENT, await refreshTokens(setup.codeClient))
  return codeGrantLoad(url, setup.codeClient, await authorizationCodes(setup.codeClient, grants))
}

/** One run: the auth process's CPU over it per answered grant, and grants per second of wall time. */
async function flowRun (setup: Setup, flow: GrantFlow, seconds: number, grants: number) {
  const load = await loadFor(flow, setup, grants)
  const before = await cpuMicros(setup.pid)
  const started = performance.now()
  const result = await cannon({ connections: CONNECTIONS, duration: seconds, ...load })
  const elapsed = (performance.now() - started) / 1000
  const used = await cpuMicros(setup.pid) - before
  const ok = result.statusCodeStats?.['200']?.count ?? 0
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count ?? 0]))
  return {
    grants: ok,
    seconds: Math.round(elapsed * 100) / 100,
    grantsPerSecond: Math.round(ok / elapsed),
    cpuMicrosPerGrant: ok > 0 ? Math.round((used / ok) * 10) / 10 : null,
    statuses,
    errors: result.errors + result.timeouts
  }
}

async function measureService (report: GrantFlowReport, database: GrantDatabase, alg: SigningAlgorithm,
  postgres: PostgresServer | undefined, callback: CallbackServer, dir: string) {
  let setup: Setup | undefined
  try {
    setup = await setUp(database, alg, postgres, callback, dir)
    if (plan.warmupSeconds > 0) {
      for (const flow of GRANT_FLOWS) await flowRun(setup, flow, plan.warmupSeconds, Math.round(POOL_GRANTS / 4))
    }
    for (let round = 0; round < plan.runs; round++) {
      for (const flow of GRANT_FLOWS) {
        const measured = await flowRun(setup, flow, plan.runSeconds, POOL_GRANTS)
        const run: GrantFlowRun = { database, alg, flow, round, ...measured }
        report.runs.push(run)
        progress(`grants ${database} ${alg} ${flow}: ${run.grantsPerSecond} grants/s, ` +
          `${run.cpuMicrosPerGrant ?? '?'} µs CPU`)
      }
    }
  } catch (error) {
    report.failures.push({ database, alg, error: (error as Error).message })
    progress(`grants ${database} ${alg}: FAILED ${(error as Error).message}`)
  } finally {
    await setup?.auth.stop()
  }
}

/**
 * The grants of the flow comparison: `client_credentials` (client_secret_basic and private_key_jwt),
 * `refresh_token` and the code flow's token request, for every algorithm, on SQLite and on PostgreSQL
 * (a server the harness starts, its own database per service), `CONNECTIONS` connections.
 */
export async function grantFlowScenarios (): Promise<GrantFlowReport> {
  progress(`8b. grants by flow, ${GRANT_DATABASES.join(' and ')}, ${CONNECTIONS} connections`)
  const report: GrantFlowReport = {
    plan: { ...plan, connections: CONNECTIONS, poolGrants: POOL_GRANTS },
    runs: [],
    failures: [],
    signatureMicros: {},
    assertionVerifyMicros: verifyCostMicros('EdDSA')
  }
  for (const alg of SIGNING_ALGORITHMS) report.signatureMicros[alg] = signCostMicros(alg)
  const dir = await tempDir('bench-grant-flows-')
  const callback = await startCallbackServer()
  let postgres: PostgresServer | undefined
  try {
    for (const database of GRANT_DATABASES) {
      if (database === 'postgres') postgres = await startPostgresServer()
      for (const alg of FLOW_ALGORITHMS) await measureService(report, database, alg, postgres, callback, dir.path)
    }
  } finally {
    await postgres?.stop()
    await callback.close()
    await dir.remove()
  }
  return report
}
