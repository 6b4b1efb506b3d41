import type { Options } from 'autocannon'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '@repo/contracts/access-token'
import { startFakeIssuer } from '@repo/service-harness/fake-issuer'
import { cycle, middle, summarize } from '../measure.js'
import { TOKEN_USES, type ServerId, type TokenScenario } from '../peer-report.js'
import { preflight } from '../preflight.js'
import { DPOP_COST_PLAN, peers, progress, record, report } from '../run.js'
import { CONTENDERS, startServer, type RunningServer } from '../servers.js'
import { mintTokens } from '../token-pool.js'
import { proofVerifyCostMicros, verifyCostMicros } from '../verify-cost.js'
import { dpopCostBlocks } from './dpop-cost.js'
import { DPOP_ALGS, DPOP_CLIENTS, dpopScenarios } from './dpop.js'
import { measureServer } from './measure-server.js'

interface Scenario { alg: SigningAlgorithm, token: TokenScenario, load: Omit<Options, 'url'> }

const DPOP_CONTENDERS: readonly ServerId[] = ['bare', 'consumer', 'node-crypto']

/**
 * The bare route, the consumer and the three peers, each its own process, trusting one fake
 * issuer, measured in the same run: per round, every scenario (one token reused, a fresh token per
 * request; RS256, ES256, EdDSA) on every server in turn, the bare route first in each, so each
 * ratio is against a bare figure taken a few seconds before. The servers' order turns every round.
 * Each server takes a full-load run (its req/s) and then a paced run at the plan's rate, the same for
 * every server (its CPU per request, at equal load).
 */
export async function peerScenarios ({ dpopOnly = false } = {}): Promise<void> {
  const { plan } = peers
  // `--only=dpop`: the DPoP comparison alone: the bare route, the consumer and the reference, fresh tokens.
  const contenders = dpopOnly ? CONTENDERS.filter(({ id }) => DPOP_CONTENDERS.includes(id)) : CONTENDERS
  if (dpopOnly) peers.dpopOnly = true
  progress(`peers: ${contenders.map(({ label }) => label).join(', ')}; ${plan.rounds} interleaved round(s) of ` +
    `${plan.runSeconds} s at full load and ${plan.pacedSeconds ?? 0} s at ${plan.pacedRate ?? 0} req/s, ` +
    `${plan.connections} connections`)
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
    const reference = servers.find((server) => server.contender.id === 'node-crypto')
    // The DPoP runs of an algorithm come right after the server's bearer runs, so the two see the same machine:
    // the consumer's at full load (req/s) and paced, the reference's paced (its DPoP − bearer is one proof
    // verification as a server pays it).
    const dpopOf = (server: RunningServer, scenario: Scenario) =>
      scenario.token === 'fresh' && DPOP_ALGS.includes(scenario.alg) && (server === consumer || server === reference)
    const pacedRate = plan.pacedRate ?? 0
    const pacedSeconds = plan.pacedSeconds ?? plan.runSeconds

    const [bare, ...others] = servers as [RunningServer, ...RunningServer[]]
    const supported = (server: RunningServer, scenario: Scenario) =>
      server.contender.unsupported[scenario.alg] === undefined
    if (plan.warmupSeconds > 0) {
      progress(`peers: ${plan.warmupSeconds} s warm-up of every server and scenario`)
      for (const scenario of scenarios) {
        for (const server of servers.filter((candidate) => supported(candidate, scenario))) {
          const warm = await measureServer(server, scenario.load, plan.warmupSeconds)
          if (dpopOf(server, scenario)) {
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
          const { alg, token } = scenario
          const at = { round, server: server.contender.id, alg }
          const full = await measureServer(server, scenario.load, plan.runSeconds)
          peers.runs.push({ ...at, token, ...full })
          const paced = pacedRate > 0
            ? await measureServer(server, { ...scenario.load, overallRate: pacedRate }, pacedSeconds)
            : undefined
          if (paced) peers.runs.push({ ...at, token: `${token}-paced`, offeredRate: pacedRate, ...paced })
          progress(`peers ${round}/${plan.rounds} ${alg} ${token}, ${server.contender.label}: ` +
            `${full.requestsPerSecond} req/s; at ${pacedRate} req/s ${paced?.cpuMicrosPerRequest ?? '?'} µs CPU/req`)
          if (!dpopOf(server, scenario)) continue
          if (server === consumer) {
            const dpopRun = await dpop.measure(server, alg, plan.runSeconds, full.requestsPerSecond)
            if (dpopRun) peers.runs.push({ ...at, token: 'fresh-dpop', ...dpopRun })
          }
          const dpopPaced = pacedRate > 0
            ? await dpop.measure(server, alg, pacedSeconds, pacedRate, pacedRate)
            : undefined
          if (dpopPaced) peers.runs.push({ ...at, token: 'fresh-dpop-paced', offeredRate: pacedRate, ...dpopPaced })
          progress(`peers ${round}/${plan.rounds} ${alg} fresh-dpop, ${server.contender.label}: ` +
            `at ${pacedRate} req/s ${dpopPaced?.cpuMicrosPerRequest ?? '?'} µs CPU/req`)
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
