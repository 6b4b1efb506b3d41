import { randomBytes } from 'node:crypto'
import { JWKS_PATH } from '@repo/contracts/jwks'
import { LOGIN_PATH } from '@repo/contracts/login'
import { startPostgresServer } from '@repo/service-harness/postgres-server'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { CONNECTIONS, cannon, toRun } from '../measure.js'
import { combine, type ReplicaReport, type ReplicaSetup } from '../replica-report.js'
import { QUIET, plan, progress } from '../run.js'

/** Login saturates the CPU with scrypt from a few connections, as in scenario 5. */
const LOGIN_CONNECTIONS = 8
// Throughput from one address: the per-IP login limit (shared by the replicas on PostgreSQL) is lifted.
const UNLIMITED = { LOGIN_RATE_LIMIT: '1000000/1s', SIGNING_ALG: 'RS256' }

/** Saturates `endpoint` on every replica of a setup at once, `connections` split evenly; one figure for the setup. */
async function saturate (setup: ReplicaSetup, replicas: ServiceProcess[], endpoint: 'login' | 'jwks', seconds: number) {
  const connections = endpoint === 'login' ? LOGIN_CONNECTIONS : CONNECTIONS
  const results = await Promise.all(replicas.map((replica) => cannon(endpoint === 'login'
    ? {
        url: `${replica.url}${LOGIN_PATH}`,
        method: 'POST',
        connections: connections / replicas.length,
        duration: seconds,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'Jane', password: 'pass123' })
      }
    : { url: `${replica.url}${JWKS_PATH}`, connections: connections / replicas.length, duration: seconds })))
  return combine(setup, endpoint, results.map(toRun))
}

/**
 * Scenario 7 (issue 12): login and JWKS throughput of two auth-service replicas on one PostgreSQL
 * database beside one replica on SQLite, in the same run, the setups interleaved round by round.
 */
export async function replicaScenarios (): Promise<ReplicaReport> {
  progress('7. auth-service: 2 replicas on PostgreSQL beside 1 on SQLite (login, JWKS)')
  const postgres = await startPostgresServer()
  const dir = await tempDir('bench-replicas-')
  const running: ServiceProcess[] = []
  try {
    const sqlitePort = await freePort()
    const sqlite = startService('auth-service', sqlitePort, {
      ...QUIET,
      ...UNLIMITED,
      ISSUER: `http://127.0.0.1:${sqlitePort}`,
      DATA_DIR: dir.path
    })
    running.push(sqlite)
    const databaseUrl = await postgres.createDatabase()
    const keyEncryptionKey = randomBytes(32).toString('base64url')
    const ports = [await freePort(), await freePort()]
    // One issuer for both replicas, as behind a load balancer.
    const issuer = `http://127.0.0.1:${ports[0]}`
    const replicas = ports.map((port) => startService('auth-service', port, {
      ...QUIET,
      ...UNLIMITED,
      ISSUER: issuer,
      DATABASE_URL: databaseUrl,
      // Shared by both replicas, as it must be: each opens the keys the other sealed.
      KEY_ENCRYPTION_KEYS: keyEncryptionKey,
      DATA_DIR: dir.path
    }))
    running.push(...replicas)
    await Promise.all(running.map((service) => service.waitUntilReady()))

    const rounds = Math.max(plan.runs, 1)
    // A login costs a full scrypt: even the quick run needs a few seconds to see answers.
    const loginSeconds = Math.max(plan.runSeconds, 3)
    const report: ReplicaReport = { rounds, runs: [] }
    if (plan.warmupSeconds > 0) {
      await saturate('1 replica, SQLite', [sqlite], 'login', plan.warmupSeconds)
      await saturate('2 replicas, PostgreSQL', replicas, 'login', plan.warmupSeconds)
    }
    for (let round = 0; round < rounds; round++) {
      for (const [setup, servers] of [['1 replica, SQLite', [sqlite]], ['2 replicas, PostgreSQL', replicas]] as const) {
        report.runs.push(await saturate(setup, [...servers], 'login', loginSeconds))
        report.runs.push(await saturate(setup, [...servers], 'jwks', plan.runSeconds))
      }
      const last = report.runs.slice(-4)
      const figures = last.map((run) => `${run.setup} ${run.endpoint} ${run.requestsPerSecond} req/s`)
      progress(`round ${round + 1}/${rounds}: ${figures.join(', ')}`)
    }
    return report
  } finally {
    await Promise.all(running.map((service) => service.stop()))
    await postgres.stop()
    await dir.remove()
  }
}
