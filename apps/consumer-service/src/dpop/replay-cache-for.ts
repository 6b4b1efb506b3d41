import { MemoryReplayCache, SqlReplayCache, type ReplayCache } from '@repo/dpop/replay-cache'
import { DPOP_REPLAY_TABLE } from '../database/consumer-migrations.js'
import type { SqlQueryable } from '@repo/service-kit/sql'

/**
 * Where the DPoP proofs seen are kept: with DATABASE_URL, in PostgreSQL, so that a proof one replica
 * accepted is a replay on every other; without it, in this process's memory, holding at most
 * `DPOP_REPLAY_CACHE_SIZE` proofs (refusing new ones when full of live ones rather than forgetting one).
 */
export function replayCacheFor (
  { databaseUrl, dpopReplayCacheSize }: { databaseUrl: string | undefined, dpopReplayCacheSize: number },
  database: SqlQueryable
): ReplayCache {
  return databaseUrl
    ? new SqlReplayCache(database, DPOP_REPLAY_TABLE)
    : new MemoryReplayCache({ maxEntries: dpopReplayCacheSize })
}
