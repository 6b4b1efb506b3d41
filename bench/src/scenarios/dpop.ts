import type { Options } from 'autocannon'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { dpopRequests, makeProof, proofClients, type BoundToken, type DpopHeaders } from '../dpop-proofs.js'
import type { PeerReport } from '../peer-report.js'
import type { RunningServer } from '../servers.js'
import { mintBoundTokens } from '../token-pool.js'
import { measureServer } from './measure-server.js'

/** The access-token algorithms measured with DPoP; every proof is ES256, the algorithm clients use most. */
export const DPOP_ALGS: readonly SigningAlgorithm[] = ['RS256', 'ES256']
/**
 * Simulated clients, one P-256 key each, holding the pool's tokens in turn: fewer than the consumer's
 * proof-key cache (1000), so after a client's first proof its key is found there, as with real clients.
 */
export const DPOP_CLIENTS = 100
/** Proofs made for a run: the rate it may reach, from the runs before it, with room to spare. */
const HEADROOM = 1.5
const SPARE_PROOFS = 1000

export interface DpopScenarios {
  /** Valid DPoP requests answered 200, a replayed proof and a bound token sent as Bearer refused. */
  preflight: (consumer: RunningServer, report: PeerReport) => Promise<void>
  /**
   * A load of fresh DPoP-bound tokens of `alg`, each request with a new proof, on `consumer`; its
   * proofs made before the run for `expectedRate` (the bearer run's) or the last DPoP run's rate.
   * With `offeredRate`, that many requests per second are sent, no more (autocannon's `overallRate`).
   */
  measure: (
    consumer: RunningServer, alg: SigningAlgorithm, seconds: number, expectedRate: number, offeredRate?: number
  ) => Promise<DpopRun | undefined>
}

type ServerRun = Awaited<ReturnType<typeof measureServer>>
type DpopRun = ServerRun & { lateProofs: number }

const urlOf = (server: RunningServer) => `${server.process.url}/api/v1/protected`

export function dpopScenarios (issuer: FakeIssuer, poolSize: number): DpopScenarios {
  const clients = proofClients(DPOP_CLIENTS)
  const pools = new Map(DPOP_ALGS.map((alg) => [alg, mintBoundTokens(issuer, alg, poolSize, clients)]))
  const offsets = new Map<SigningAlgorithm, number>()
  const lastRates = new Map<SigningAlgorithm, number>()

  async function preflight (consumer: RunningServer, report: PeerReport) {
    const url = urlOf(consumer)
    const send = async (check: string, expected: 200 | 401, headers: Record<string, string>) => {
      const response = await fetch(url, { headers })
      await response.arrayBuffer()
      report.preflight.push({ server: consumer.contender.id, check, expected, status: response.status })
    }
    for (const [alg, pool] of pools) {
      const [headers] = dpopRequests(pool, url, 1) as [DpopHeaders]
      const { token } = pool[0] as BoundToken
      await send(`DPoP: ${alg} bound token, ES256 proof`, 200, { ...headers })
      await send(`DPoP: ${alg}, the same proof again`, 401, { ...headers })
      await send(`DPoP: ${alg} bound token as Bearer`, 401, { authorization: `Bearer ${token}` })
    }
  }

  async function measure (
    consumer: RunningServer, alg: SigningAlgorithm, seconds: number, expectedRate: number, offeredRate?: number
  ): Promise<DpopRun | undefined> {
    const pool = pools.get(alg)
    if (pool === undefined) return undefined
    const url = urlOf(consumer)
    const rate = Math.max(expectedRate, lastRates.get(alg) ?? 0)
    const count = Math.ceil(rate * seconds * HEADROOM) + SPARE_PROOFS
    const offset = offsets.get(alg) ?? 0
    const requests = dpopRequests(pool, url, count, offset)
    offsets.set(alg, (offset + count) % pool.length)
    let next = 0
    let lateProofs = 0
    const nextHeaders = (): DpopHeaders => {
      const made = requests[next++]
      if (made !== undefined) return made
      // Never expected (the headroom), but a replayed proof would be refused: make one now, and say so.
      lateProofs++
      const { token, ath, client } = pool[next % pool.length] as BoundToken
      const iat = Math.floor(Date.now() / 1000)
      return { authorization: `DPoP ${token}`, dpop: makeProof(client, { method: 'GET', url, ath, iat }) }
    }
    const load: Omit<Options, 'url'> = {
      ...(offeredRate === undefined ? {} : { overallRate: offeredRate }),
      requests: [{
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...nextHeaders() } })
      }]
    }
    const run = await measureServer(consumer, load, seconds)
    if (offeredRate === undefined) lastRates.set(alg, run.requestsPerSecond)
    return { ...run, lateProofs }
  }

  return { preflight, measure }
}
