import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createNonceSource } from '@repo/dpop/nonce'
import { MemoryReplayCache, SqlReplayCache, type ReplayCache } from '@repo/dpop/replay-cache'
import { loadNonceSecret } from '../dpop/nonce-secret.js'
import { createProofChecker, type ProofChecker } from '../dpop/proof-checker.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** DPoP proofs (RFC 9449): checked, their `jti`s remembered, and the server nonces. */
    dpop: ProofChecker
  }
}

export interface DpopPluginOptions {
  iatWindowSeconds: number
  clockToleranceSeconds: number
  /** DPOP_NONCE: server nonces on. */
  nonce: boolean
  noncePeriodMs: number
  /** In place of the database's or the memory one (tests: a small one to fill). */
  replayCache?: ReplayCache | undefined
  /** Milliseconds since the epoch. */
  now: () => number
}

/** At most this many proofs remembered in memory (about 150 bytes each, under 16 MiB in all). */
export const MEMORY_REPLAY_CEILING = 100_000

/**
 * The DPoP proof checker. On PostgreSQL the seen proofs are in the database, so a proof accepted by
 * one replica is a replay on every other; on SQLite (one process) they are in memory, at most
 * MEMORY_REPLAY_CEILING of them: when that many are within their window, new proofs are refused.
 * Only the proofs of requests otherwise accepted are remembered (a good grant, a valid bound token),
 * so a flood of proofs without one takes no room.
 */
export const dpopPlugin = fp(async function dpop (
  app: FastifyInstance, options: DpopPluginOptions
) {
  const { iatWindowSeconds, clockToleranceSeconds, nonce, noncePeriodMs, now } = options
  const replayCache = options.replayCache ?? (app.db.dialect === 'postgres'
    // The purge job deletes expired proofs (maintenance/retention-rules.ts), not a request.
    ? new SqlReplayCache(app.db, 'auth_dpop_proofs', { purgeExpired: false })
    : new MemoryReplayCache({ maxEntries: MEMORY_REPLAY_CEILING }))
  const nonces = nonce
    ? createNonceSource({ secret: await loadNonceSecret(app.db), periodMs: noncePeriodMs, now })
    : undefined
  app.decorate('dpop', createProofChecker({ iatWindowSeconds, clockToleranceSeconds, replayCache, nonces, now }))
}, { name: 'dpop', dependencies: ['database'] })
