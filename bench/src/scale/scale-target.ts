import { randomBytes } from 'node:crypto'
import { LOGIN_PATH } from '@repo/contracts/login'
import { TOKEN_PATH } from '@repo/contracts/oauth'
import type { PostgresServer } from '@repo/service-harness/postgres-server'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { basicCredentials, registerClient } from '../client-registration.js'
import { QUIET } from '../run.js'
import type { Engine, Operation } from '../scale-report.js'
import type { Send } from './paced-load.js'
import { countPostgres, seedPostgres } from './seed-postgres.js'
import { LOGIN_CLIENT, PASSWORD, liveRefreshTokens, userName } from './seed-rows.js'
import { countSqlite, seedSqlite } from './seed-sqlite.js'

const CLIENT_ID = 'bench-scale-client'
/** Redeemable tokens put in the queue after each seeding step: more than a step's load redeems. */
const REFRESH_POOL = 2000

/** One auth service and its database, which the bench seeds and loads. */
export interface ScaleTarget {
  engine: Engine
  env: Record<string, string>
  service: ServiceProcess
  /** Rows per seeded table now. */
  rows: number
  /** Grows `rows` to `to` (one transaction); resolves with the seconds it took. */
  seed: (to: number) => Promise<number>
  count: (tables: readonly string[]) => Promise<Record<string, number>>
  send: (operation: Operation) => Send
  stop: () => Promise<void>
}

/** Lifted: the load comes from one address, logs in as many users and presents one client. */
export const UNLIMITED = { LOGIN_RATE_LIMIT: '1000000/1s', OAUTH_RATE_LIMIT: '1000000/1s' }

/**
 * An auth service on a database of its own (a SQLite DATA_DIR, or a new database on `postgres`),
 * started so that it migrates the schema the seeding then fills, with a confidential client for
 * client_credentials. `extraEnv` for the retention run's short lifetimes.
 */
export async function startScaleTarget (
  engine: Engine, postgres: PostgresServer | undefined, passwordHash: string, extraEnv: Record<string, string> = {}
): Promise<ScaleTarget> {
  const dir = await tempDir('bench-scale-')
  const env: Record<string, string> = { DATA_DIR: dir.path }
  if (engine === 'postgres') {
    if (!postgres) throw new Error('no PostgreSQL server')
    env.DATABASE_URL = await postgres.createDatabase()
    env.KEY_ENCRYPTION_KEYS = randomBytes(32).toString('base64url')
  }
  const port = await freePort()
  const service = startService('auth-service', port, {
    ...QUIET,
    ...UNLIMITED,
    SIGNING_ALG: 'ES256',
    SEED_DEMO_USERS: 'false',
    // No purge of the seeded expired rows in the middle of a measurement (the retention run sets its own).
    PURGE_INTERVAL: '1d',
    ISSUER: `http://127.0.0.1:${port}`,
    ...env,
    ...extraEnv
  })
  const stop = async () => {
    await service.stop()
    await dir.remove()
  }
  try {
    await service.waitUntilReady()
    const secret = await registerClient(CLIENT_ID, env)
    const salt = randomBytes(8).toString('hex')
    const refreshQueue: string[] = []
    const target: ScaleTarget = {
      engine,
      env,
      service,
      rows: 0,
      seed: async (to) => {
        const started = performance.now()
        const step = { salt, from: target.rows, to, passwordHash, times: { now: Date.now() } }
        if (engine === 'sqlite') seedSqlite(dir.path, step)
        else await seedPostgres(env.DATABASE_URL as string, step)
        refreshQueue.unshift(...liveRefreshTokens(salt, target.rows, to, REFRESH_POOL))
        target.rows = to
        // SQLite's seeding blocks this event loop for minutes, while the service closes the idle keep-alive
        // sockets: a turn of the loop lets fetch see them closed, or its next request is written into one
        // (EPIPE, an error in the measurement).
        await new Promise((resolve) => setTimeout(resolve, 100))
        return Math.round((performance.now() - started) / 100) / 10
      },
      count: (tables) => engine === 'sqlite'
        ? Promise.resolve(countSqlite(dir.path, tables))
        : countPostgres(env.DATABASE_URL as string, tables),
      send: (operation) => senders(service.url, secret, refreshQueue, () => target.rows)[operation],
      stop
    }
    return target
  } catch (error) {
    await stop()
    throw error
  }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/**
 * The three operations. A refresh redeems the queue's first token (seeded, spread over the table) and
 * puts its successor at the end, as a client keeps its newest token; a login names a random seeded user.
 */
function senders (url: string, secret: string, refreshQueue: string[], rows: () => number): Record<Operation, Send> {
  const tokenUrl = `${url}${TOKEN_PATH}`
  const basic = { ...FORM, authorization: basicCredentials(CLIENT_ID, secret) }
  return {
    refresh: async () => {
      const token = refreshQueue.shift()
      if (token === undefined) throw new Error('no refresh token left to redeem')
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: LOGIN_CLIENT })
      })
      const body = await response.json() as { refresh_token?: string }
      if (body.refresh_token !== undefined) refreshQueue.push(body.refresh_token)
      return response.status
    },
    client_credentials: async () => {
      const response = await fetch(tokenUrl, { method: 'POST', headers: basic, body: 'grant_type=client_credentials' })
      await response.arrayBuffer()
      return response.status
    },
    login: async () => {
      const response = await fetch(`${url}${LOGIN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: userName(Math.floor(Math.random() * rows())), password: PASSWORD })
      })
      await response.arrayBuffer()
      return response.status
    }
  }
}
