import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startPostgresServer, type PostgresServer } from '@repo/service-harness/postgres-server'
import { freePort, tempDir } from '@repo/service-harness/free-port'
import { startService, type ServiceProcess } from '@repo/service-harness/service-process'
import { startBalancer, type Balancer } from '@repo/service-harness/balancer'

export interface ReplicaSet {
  /** The ISSUER every replica shares and the consumer trusts: the balancer's URL. */
  issuer: string
  /** The replicas' environment (DATABASE_URL, KEY_ENCRYPTION_KEYS, ISSUER, timings): the CLIs run with it too. */
  authEnv: Record<string, string>
  /** The replica now serving on each port; `restart(i)` replaces entry `i`. */
  replicas: ServiceProcess[]
  /** Every auth process started, killed ones included: their logs together are the set's history. */
  started: ServiceProcess[]
  balancer: Balancer
  /** Trusts `issuer` and reads its JWKS through the balancer; undefined with `consumer: false`. */
  consumer: ServiceProcess | undefined
  /** Starts replica `index` again on its port and the same database (after a kill). */
  restart: (index: number) => Promise<ServiceProcess>
  stop: () => Promise<void>
}

export interface ReplicaSetOptions {
  count?: number
  authEnv?: Record<string, string>
  consumerEnv?: Record<string, string>
  consumer?: boolean
}

/**
 * `count` auth-service processes on one new PostgreSQL database, each on its own port, started
 * together, behind a round-robin balancer whose URL is their shared ISSUER; and a consumer that
 * trusts that issuer. The consumer keeps its reports in SQLite: only the auth service is replicated.
 */
export async function startReplicas (
  postgres: PostgresServer,
  { count = 3, authEnv = {}, consumerEnv = {}, consumer = true }: ReplicaSetOptions = {}
): Promise<ReplicaSet> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()))
  const balancer = await startBalancer(ports.map((port) => `http://127.0.0.1:${port}`))
  const consumerDir = await tempDir('replicas-consumer-')
  // No DATA_DIR: with DATABASE_URL, nothing of the auth service may land on the local disk. Every
  // replica (and the CLIs) shares one key-encryption key, as they must.
  const env = {
    ISSUER: balancer.url,
    DATABASE_URL: await postgres.createDatabase(),
    KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url'),
    DATA_DIR: '/nonexistent',
    ...authEnv
  }
  const started: ServiceProcess[] = []
  const startAuth = (port: number) => {
    const replica = startService('auth-service', port, env)
    started.push(replica)
    return replica
  }

  const set: ReplicaSet = {
    issuer: balancer.url,
    authEnv: env,
    replicas: ports.map(startAuth),
    started,
    balancer,
    consumer: undefined,
    async restart (index) {
      const replica = startAuth(ports[index] as number)
      set.replicas[index] = replica
      await replica.waitUntilReady()
      return replica
    },
    async stop () {
      await Promise.all([...started, ...set.consumer ? [set.consumer] : []].map((service) => service.stop()))
      await balancer.close()
      await consumerDir.remove()
    }
  }
  try {
    await Promise.all(set.replicas.map((replica) => replica.waitUntilReady()))
    if (consumer) {
      set.consumer = startService('consumer-service', await freePort(), {
        ISSUER: balancer.url,
        DATA_DIR: consumerDir.path,
        ...consumerEnv
      })
      await set.consumer.waitUntilReady()
    }
  } catch (error) {
    await set.stop()
    throw error
  }
  return set
}

/**
 * For a describe: one PostgreSQL server for the whole file, and `start()` for a case's replica set
 * (on a new database), which is stopped after the case whatever happened.
 */
export function replicaSuite () {
  let postgres: PostgresServer | undefined
  let set: ReplicaSet | undefined
  beforeAll(async () => { postgres = await startPostgresServer() })
  afterAll(async () => { await postgres?.stop() })
  afterEach(async () => {
    await set?.stop()
    set = undefined
  })
  return {
    /** The file's PostgreSQL server (to pause, resume or query as its superuser). */
    postgres (): PostgresServer {
      if (!postgres) throw new Error('replicaSuite().postgres() is only usable inside the describe that declared it')
      return postgres
    },
    async start (options?: ReplicaSetOptions): Promise<ReplicaSet> {
      if (!postgres) throw new Error('replicaSuite().start() is only usable inside the describe that declared it')
      set = await startReplicas(postgres, options)
      return set
    }
  }
}
