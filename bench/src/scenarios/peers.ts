import type { Options } from 'autocannon'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { startFakeIssuer } from '@repo/service-harness/fake-issuer'
import { DPOP_PACED_SHARE } from '../dpop-report.js'
import { cycle, middle, summarize } from '../measure.js'
import { TOKEN_USES, type PeerRun, type ServerId, type TokenUse } from '../peer-report.js'
import { preflight } from '../preflight.js'
import { DPOP_COST_PLAN, peers, progress, record, report } from '../run.js'
import { CONTENDERS, startServer, type RunningServer } from '../servers.js'
import { mintTokens } from '../token-pool.js'
import { proofVerifyCostMicros, verifyCostMicros } from '../verify-cost.js'
import { dpopCostBlocks } from './dpop-cost.js'
import { DPOP_ALGS, DPOP_CLIENTS, dpopScenarios } from './dpop.js'
import { measureServer } from './measure-server.js'

interface Scenario { alg: SigningAlgorithm, token: TokenUse, load: Omit<Options, 'url'> }

const DPOP_CONTENDERS: readonly ServerId[] = ['bare', 'consumer', 'node-crypto']

/**
 * The bare route, the consumer and the three peers, each its own process, trusting one fake
 * issuer, measured in the same run: per round, every scenario (one token reused, a fresh token per
 * request; RS256, ES256, EdDSA) on every server in turn, the bare route first in each, so each
 * ratio is against a bare figure taken a few seconds before. The servers' order turns every round.
 */
export async function peerScenarios ({ dpopOnly = false } = {}): Promise<void> {
  const { plan } = peers
  // `--only=dpop`: the DPoP comparison alone: the bare route, the consumer and the reference, fresh tokens.
  const contenders = dpopOnly ? CONTENDERS.filter(({ id }) => DPOP_CONTENDERS.includes(id)) : CONTENDERS
  if (dpopOnly) peers.dpopOnly = true
  progress(`peers: ${contenders.map(({ label }) => label).join(', ')}; ` +
    `${plan.rounds} interleaved round(s) of ${plan.runSeconds} s, ${plan.connections} connections`)
  const issuer = await startFakeIssuer()
  const servers: RunningServer[] = []
  try {
    // One after the other, so the consumer's start-up time is not a race with the others'.
    for (const contender of contenders) servers.push(await startServer(contender, issuer))
    progress(`peers: minting ${plan.poolSize} tokens per algorithm`)
    const allScenarios: Scenario[] = SIGNING_ALGORITHMS.flatMap((alg) => {
      const [token] = mintTokens(issuer, alg, 1) as [string]
      const next = cycle(mintTokens(issuer, alg, plan.poolSize))
      return TOKEN_USES.map((use) => ({
        alg,
        token: use,
        load: use === 'reused'
          ? { headers: { authorization: `Bearer ${token}` } }
          : {
              requests: [{
                setupRequest: (request) => ({
                  ...request,
                  headers: { ...request.headers, authorization: `Bearer ${next()}` }
                })
              }]
            }
      }) satisfies Scenario)
    })
    const scenarios = dpopOnly
      ? allScenarios.filter(({ alg, token }) => token === 'fresh' && DPOP_ALGS.includes(alg))
      : allScenarios
    progress(`peers: minting ${plan.poolSize} DPoP-bound tokens for ${DPOP_ALGS.join(', ')}, ${DPOP_CLIENTS} clients`)
    const dpop = dpopScenarios(issuer, plan.poolSize)
    peers.dpopClients = DPOP_CLIENTS
    await preflight(servers, issuer, peers)
    const consumer = servers.find((server) => server.contender.id === 'consumer')
    if (consumer) await dpop.preflight(consumer, peers)
    // The consumer's DPoP run of an algorithm comes right after its bearer run, so the two see the same machine.
    const withDpop = (server: RunningServer, scenario: Scenario) =>
      server === consumer && scenario.token === 'fresh' && DPOP_ALGS.includes(scenario.alg)

    // The reference (node:crypto by hand) runs the paced pair too: its DPoP costs one proof verification more.
    const reference = servers.find((server) => server.contender.id === 'node-crypto')
    const pacedPairs = async (scenario: Scenario, round: number, dpopRate: number) => {
      const offeredRate = Math.max(1, Math.floor(dpopRate * DPOP_PACED_SHARE))
      for (const server of [consumer, reference]) {
        if (server === undefined) continue
        const id = server.contender.id
        const { alg } = scenario
        const { bearer, bound } = await dpop.pacedPair(server, scenario.load, alg, plan.runSeconds, offeredRate)
        peers.runs.push({ round, server: id, alg, token: 'fresh-paced', offeredRate, ...bearer })
        if (bound) peers.runs.push({ round, server: id, alg, token: 'fresh-dpop-paced', offeredRate, ...bound })
        progress(`peers ${round}/${plan.rounds} ${scenario.alg} at ${offeredRate} req/s, ${server.contender.label}: ` +
          `bearer ${bearer.cpuMicrosPerRequest ?? '?'}, DPoP ${bound?.cpuMicrosPerRequest ?? '?'} µs CPU/req`)
      }
    }

    const [bare, ...others] = servers as [RunningServer, ...RunningServer[]]
    const supported = (server: RunningServer, scenario: Scenario) =>
      server.contender.unsupported[scenario.alg] === undefined
    if (plan.warmupSeconds > 0) {
      progress(`peers: ${plan.warmupSeconds} s warm-up of every server and scenario`)
      for (const scenario of scenarios) {
        for (const server of servers.filter((candidate) => supported(candidate, scenario))) {
          const warm = await measureServer(server, scenario.load, plan.warmupSeconds)
          if (withDpop(server, scenario)) {
            await dpop.measure(server, scenario.alg, plan.warmupSeconds, warm.requestsPerSecond)
          }
        }
      }
    }
    for (let round = 1; round <= plan.rounds; round++) {
      for (const alg of SIGNING_ALGORITHMS) (peers.verifyMicros[alg] ??= []).push(verifyCostMicros(alg))
      peers.proofVerifyMicros.push(proofVerifyCostMicros())
      const turned = [...others.slice((round - 1) % others.length), ...others.slice(0, (round - 1) % others.length)]
      for (const scenario of scenarios) {
        for (const server of [bare, ...turned].filter((candidate) => supported(candidate, scenario))) {
          const run: PeerRun = {
            round,
            server: server.contender.id,
            alg: scenario.alg,
            token: scenario.token,
            ...await measureServer(server, scenario.load, plan.runSeconds)
          }
          peers.runs.push(run)
          progress(`peers ${round}/${plan.rounds} ${scenario.alg} ${scenario.token}, ${server.contender.label}: ` +
            `${run.requestsPerSecond} req/s, ${run.cpuMicrosPerRequest ?? '?'} µs CPU/req`)
          if (!withDpop(server, scenario)) continue
          const dpopRun = await dpop.measure(server, scenario.alg, plan.runSeconds, run.requestsPerSecond)
          if (dpopRun === undefined) continue
          peers.runs.push({ round, server: server.contender.id, alg: scenario.alg, token: 'fresh-dpop', ...dpopRun })
          progress(`peers ${round}/${plan.rounds} ${scenario.alg} fresh-dpop, ${server.contender.label}: ` +
            `${dpopRun.requestsPerSecond} req/s, ${dpopRun.cpuMicrosPerRequest ?? '?'} µs CPU/req`)
          await pacedPairs(scenario, round, dpopRun.requestsPerSecond)
        }
      }
    }

    if (consumer) {
      peers.dpopCostPlan = DPOP_COST_PLAN
      const costs: NonNullable<typeof peers.dpopCost> = {}
      for (const alg of DPOP_ALGS) {
        progress(`peers: DPoP's cost inside the consumer, ${alg} tokens, ${DPOP_COST_PLAN.triples} interleaved triples`)
        costs[alg] = await dpopCostBlocks(issuer, alg, DPOP_COST_PLAN)
      }
      peers.dpopCost = costs
    }

    for (const server of servers) {
      const exited = server.process.exited()
      const peakRssMiB = exited ? 0 : await server.process.peakRssMiB()
      const { id, label, unsupported } = server.contender
      const ready = server.readyMs === undefined ? {} : { readyMs: server.readyMs }
      peers.servers.push({ id, label, peakRssMiB, exited, unsupported, ...ready })
      report.processes.push({ name: label, peakRssMiB, ...ready })
    }
    for (const alg of SIGNING_ALGORITHMS) {
      report.verifyMicros[alg] = middle(peers.verifyMicros[alg] ?? [], (micros) => micros)
    }
    // The bare route with one RS256 token: the baseline of the other scenarios' ratios.
    const baseline = peers.runs.filter((run) => run.server === 'bare' && run.alg === 'RS256' && run.token === 'reused')
    if (baseline.length > 0) record('bare route', summarize(baseline), { role: 'baseline' })
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    await issuer.close()
  }
}
