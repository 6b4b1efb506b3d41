import { replayTableSql } from '@repo/dpop/replay-cache'
import type { Migrations } from '@repo/service-kit/sql'

/** The consumer's database file under DATA_DIR (without DATABASE_URL). */
export const DATABASE_FILE = 'consumer.db'

/**
 * The consumer's schema, one list per engine, applied in order and never edited once released: the
 * reports, then the DPoP proofs seen (used on PostgreSQL, where replicas share it; SQLite gets the
 * table too, so both engines stay at one version).
 */
/** The consumer's own replay table: the auth service may share the database (docker-compose.postgres.yml). */
export const DPOP_REPLAY_TABLE = 'consumer_dpop_proofs'

export const CONSUMER_MIGRATIONS: Migrations = {
  component: 'consumer-service',
  sqlite: [
    `CREATE TABLE reports (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       title TEXT NOT NULL,
       created_by TEXT NOT NULL,
       created_at TEXT NOT NULL
     );`,
    replayTableSql(DPOP_REPLAY_TABLE)
  ],
  postgres: [
    `CREATE TABLE reports (
       id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       title TEXT NOT NULL,
       created_by TEXT NOT NULL,
       created_at TEXT NOT NULL
     );`,
    replayTableSql(DPOP_REPLAY_TABLE)
  ]
}
