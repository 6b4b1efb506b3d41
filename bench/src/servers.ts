import { join } from 'node:path'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { freePort } from '@repo/service-harness/free-port'
import { startProcess, type ServiceProcess } from '@repo/service-harness/service-process'
import { startConsumer } from './consumer-process.js'
import type { ServerId } from './peer-report.js'
import { pidListeningOn } from './proc-stats.js'
import { HERE, QUIET } from './run.js'

/** A server the peer comparison measures: the bare route, the consumer, or one of the peers. */
export interface Contender {
  id: ServerId
  label: string
  /** The bench's own entry point (dist/…); none for the consumer, which is the built service. */
  entry?: string
  unsupported: Partial<Record<SigningAlgorithm, string>>
}

export const CONTENDERS: readonly Contender[] = [
  { id: 'bare', label: 'bare Fastify route', entry: 'bare-server.js', unsupported: {} },
  { id: 'consumer', label: 'consumer-service', unsupported: {} },
  { id: 'jose', label: 'Fastify + jose', entry: 'peers/fastify-jose.js', unsupported: {} },
  {
    id: 'express',
    label: 'Express + jsonwebtoken + jwks-rsa',
    entry: 'peers/express-jsonwebtoken.js',
    unsupported: { EdDSA: 'jsonwebtoken 9 verifies HS*, RS*, PS* and ES* only' }
  },
  { id: 'fastify-jwt', label: '@fastify/jwt + get-jwks', entry: 'peers/fastify-jwt-get-jwks.js', unsupported: {} },
  { id: 'node-crypto', label: 'reference: node:crypto by hand', entry: 'peers/fastify-node-crypto.js', unsupported: {} }
]

export interface RunningServer {
  contender: Contender
  process: ServiceProcess
  /** The process id, for its CPU time in /proc. */
  pid: number
  readyMs?: number
  stop: () => Promise<void>
}

/** Starts one contender as its own process on loopback, trusting `issuer`, and waits until it is ready. */
export async function startServer (contender: Contender, issuer: FakeIssuer): Promise<RunningServer> {
  const started = contender.entry === undefined
    ? await startConsumer(issuer, {}).then(({ consumer, readyMs, stop }) => ({ process: consumer, readyMs, stop }))
    : await startBenchServer(contender.id, contender.entry, issuer)
  try {
    return { contender, ...started, pid: await pidListeningOn(started.process.port) }
  } catch (error) {
    await started.stop()
    throw error
  }
}

/** One of the bench's own servers (dist/`entry`); no start-up time is reported for these. */
async function startBenchServer (
  name: string,
  entry: string,
  issuer: FakeIssuer
): Promise<Omit<RunningServer, 'contender' | 'pid'>> {
  const server = startProcess(name, join(HERE, entry), await freePort(), { ...QUIET, ISSUER: issuer.origin })
  try {
    await server.waitUntilReady()
  } catch (error) {
    await server.stop()
    throw error
  }
  return { process: server, stop: () => server.stop() }
}
