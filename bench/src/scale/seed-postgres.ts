import pg from 'pg'
import { ABSOLUTE_MS, FAMILY_SIZE, IDLE_MS, LOGIN_CLIENT, REFRESH_SCOPE, SESSION_MS } from './seed-rows.js'
import type { SeedStep } from './seed-sqlite.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** seed-rows.ts's sha256url and md5Uuid in SQL, for this session only. */
const FUNCTIONS = `CREATE FUNCTION pg_temp.sha256url(text) RETURNS text IMMUTABLE LANGUAGE sql AS
    $$ SELECT rtrim(translate(encode(sha256(convert_to($1, 'UTF8')), 'base64'), '+/', '-_'), '=') $$;
  CREATE FUNCTION pg_temp.uuid_of(text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT md5($1)::uuid::text $$;`

// $1 salt, $2 from, $3 to, $4 now; the rows of seed-rows.ts, row for row.
const USERS = `INSERT INTO users (id, user_name, password_hash, role, created_at)
  SELECT pg_temp.uuid_of($1 || ':user:' || i), 'user' || i, $5, CASE WHEN i % 2 = 0 THEN 'read' ELSE 'write' END,
    $4::bigint - i * 1000
  FROM generate_series($2::bigint, $3::bigint - 1) AS i`

const SESSIONS = `INSERT INTO browser_sessions
    (id_hash, sid, user_id, auth_time, last_seen_at, idle_expires_at, expires_at, ended_at)
  SELECT pg_temp.sha256url($1 || ':session:' || j), pg_temp.uuid_of($1 || ':sid:' || j),
    pg_temp.uuid_of($1 || ':user:' || (j % $3)), t, t + ${MINUTE},
    least(t + ${MINUTE + 30 * MINUTE}, t + ${SESSION_MS}),
    t + ${SESSION_MS}, CASE WHEN j % 10 = 2 THEN t + ${MINUTE} END
  FROM generate_series($2::bigint, $3::bigint - 1) AS j,
    LATERAL (SELECT CASE WHEN j % 10 < 2 THEN $4::bigint - ${SESSION_MS + HOUR} - (j % 1000) * 1000
      ELSE $4::bigint - (j % 600) * 1000 END AS t) AS times`

const REFRESH = `INSERT INTO refresh_tokens
    (token_hash, family_id, user_id, client_id, scope, issued_at, idle_expires_at, expires_at, used_at, revoked_at,
     session_id)
  SELECT pg_temp.sha256url(pg_temp.sha256url($1 || ':rt:' || i)), pg_temp.uuid_of($1 || ':family:' || f),
    pg_temp.uuid_of($1 || ':user:' || (f % $3)), '${LOGIN_CLIENT}', '${REFRESH_SCOPE}',
    s + k * 1000, least(s + k * 1000 + ${IDLE_MS}, s + ${ABSOLUTE_MS}), s + ${ABSOLUTE_MS},
    CASE WHEN k < ${FAMILY_SIZE - 1} THEN s + k * 1000 + 1000 END,
    CASE WHEN f % 10 = 2 THEN s + k * 1000 + 1000 END,
    CASE WHEN f % 3 = 0 THEN pg_temp.uuid_of($1 || ':sid:' || (f % $3)) END
  FROM generate_series($2::bigint, $3::bigint - 1) AS i,
    LATERAL (SELECT i / ${FAMILY_SIZE} AS f, i % ${FAMILY_SIZE} AS k) AS parts,
    LATERAL (SELECT CASE WHEN f % 10 < 2 THEN $4::bigint - ${ABSOLUTE_MS + HOUR} - (f % 1000) * 1000
      ELSE $4::bigint - ${5 * MINUTE} - (f % 100) * ${MINUTE} END AS s) AS start`

/**
 * The same step as seedSqlite on PostgreSQL: three INSERT … SELECT FROM generate_series in one
 * transaction, the rows computed by the server, then VACUUM ANALYZE and CHECKPOINT.
 */
export async function seedPostgres (databaseUrl: string, { salt, from, to, passwordHash, times }: SeedStep) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(FUNCTIONS)
    await client.query('BEGIN')
    const params = [salt, from, to, times.now]
    await client.query(USERS, [...params, passwordHash])
    await client.query(SESSIONS, params)
    await client.query(REFRESH, params)
    await client.query('COMMIT')
    // As a database that grew over months would be: vacuumed (hint bits and the visibility map set, so
    // the first reads write nothing), analyzed, and checkpointed (no flush of the step's pages mid-run).
    await client.query('VACUUM ANALYZE users, browser_sessions, refresh_tokens')
    await client.query('CHECKPOINT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.end()
  }
}

/** Rows per table. */
export async function countPostgres (databaseUrl: string, tables: readonly string[]): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const counts: Record<string, number> = {}
    for (const table of tables) {
      counts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
    }
    return counts
  } finally {
    await client.end()
  }
}
