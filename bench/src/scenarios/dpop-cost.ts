import { verify, type KeyObject } from 'node:crypto'
import { buildApp } from '@repo/consumer-service/app'
import { loadConfig } from '@repo/consumer-service/config'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { FakeIssuer } from '@repo/service-harness/fake-issuer'
import { tempDir } from '@repo/service-harness/free-port'
import { dpopRequests, proofClients, type BoundToken, type DpopHeaders } from '../dpop-proofs.js'
import { mintBoundTokens, mintTokens } from '../token-pool.js'
import { DPOP_CLIENTS } from './dpop.js'

/**
 * One interleaved triple, CPU µs per request: fresh bearer tokens; the reference (bearer requests that also
 * carry a proof's bytes, each followed by that proof's signature verification with node:crypto); DPoP.
 */
export interface DpopCostBlock { bearer: number, reference: number, dpop: number }

export interface DpopCostPlan {
  /** Requests (or verifications) per block. */
  blockSize: number
  /** Triples measured, after `warmupTriples` that are not. */
  triples: number
  warmupTriples: number
}

const PATH = '/api/v1/protected'

const cpuNow = (): number => {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** CPU µs per item of `count` awaited in turn; process.cpuUsage() counts every thread, the collector's too. */
async function perItem (count: number, each: (index: number) => Promise<void> | void): Promise<number> {
  const start = cpuNow()
  for (let index = 0; index < count; index++) await each(index)
  return (cpuNow() - start) / count
}

/**
 * DPoP's cost inside the consumer, measured so that a shared, noisy machine cancels out: the consumer
 * is built in this process and driven with `inject` (every hook and the route, as over HTTP, without the
 * socket), in short interleaved blocks. Bearer: fresh bearer tokens. Reference: the same, each request
 * also carrying a new proof in a header the consumer ignores (so inject's handling of the proof's bytes is
 * paid alike), then that proof's signature verified with node:crypto, as the reference server does: a
 * bearer request plus one proof verification, interleaved as the consumer would interleave them. DPoP:
 * fresh DPoP-bound tokens with new proofs. Each triple takes milliseconds, so its blocks see the same
 * machine, and the median over triples of DPoP − reference is steady where HTTP runs seconds apart are not.
 */
export async function dpopCostBlocks (
  issuer: FakeIssuer, alg: SigningAlgorithm, plan: DpopCostPlan
): Promise<DpopCostBlock[]> {
  const perKind = plan.blockSize * (plan.triples + plan.warmupTriples)
  const bearerTokens = mintTokens(issuer, alg, 2 * perKind)
  const clients = proofClients(DPOP_CLIENTS)
  const bound = mintBoundTokens(issuer, alg, 2 * perKind, clients)
  const dir = await tempDir('bench-dpop-cost-')
  const config = loadConfig({ ISSUER: issuer.origin, DATA_DIR: dir.path, LOG_LEVEL: 'warn' })
  const app = await buildApp(config, { logger: false })
  try {
    await app.ready()
    await waitUntilReady(app)
    // Made now, used within seconds: well inside the consumer's iat window. The second half goes to the reference.
    const requests = dpopRequests(bound, `http://localhost${PATH}`, 2 * perKind)
    const call = async (headers: Record<string, string>) => {
      const response = await app.inject({ method: 'GET', url: PATH, headers: { host: 'localhost', ...headers } })
      if (response.statusCode !== 200) throw new Error(`dpop cost: ${alg} request answered ${response.statusCode}`)
    }
    const blocks: DpopCostBlock[] = []
    for (let triple = 0; triple < plan.triples + plan.warmupTriples; triple++) {
      const from = triple * plan.blockSize
      const bearer = await perItem(plan.blockSize, (i) => call({ authorization: `Bearer ${bearerTokens[from + i]}` }))
      const reference = await perItem(plan.blockSize, async (i) => {
        const { dpop: proof } = requests[perKind + from + i] as DpopHeaders
        await call({ authorization: `Bearer ${bearerTokens[perKind + from + i]}`, 'x-unread-proof': proof })
        const { client } = bound[perKind + from + i] as BoundToken
        if (!proofSignatureVerifies(proof, client.publicKey)) throw new Error('dpop cost: a proof did not verify')
      })
      const dpop = await perItem(plan.blockSize, (i) => call({ ...requests[from + i] as DpopHeaders }))
      if (triple >= plan.warmupTriples) blocks.push({ bearer, reference, dpop })
    }
    return blocks
  } finally {
    await app.close()
    await dir.remove()
  }
}

/** What the reference server does for a proof: split it and verify its ES256 signature with the client's key. */
function proofSignatureVerifies (proof: string, key: KeyObject): boolean {
  const [header, payload, signature] = proof.split('.')
  const input = Buffer.from(`${header}.${payload}`)
  const bytes = Buffer.from(signature ?? '', 'base64url')
  return verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, bytes)
}

/** Polls `/health/ready` until the consumer has its issuer's keys (a second or so). */
async function waitUntilReady (app: Awaited<ReturnType<typeof buildApp>>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await app.inject({ url: '/health/ready' })).statusCode === 200) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('dpop cost: the in-process consumer never became ready')
}
