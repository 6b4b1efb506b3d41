import type { SqlDatabase, SqlQueryable } from '@repo/service-kit/sql'
import { purgeRules } from '../../src/maintenance/retention-rules.js'

export const S = 1000
export const T0 = Date.UTC(2030, 0, 1)
/** TOKEN_TTL + CLOCK_TOLERANCE of these tests. */
export const REACH = 960 * S
export const CODE_LIFETIME = 60 * S
export const RULES = purgeRules({ accessTokenReachMs: REACH, codeLifetimeMs: CODE_LIFETIME })

/** Inserts one row of `table` named `key`, expiring at `expiresAt`, with whatever else its columns need. */
export async function insertRow (
  db: SqlQueryable, table: string, key: string, expiresAt: number, extra: { endedAt?: number } = {}
): Promise<void> {
  switch (table) {
    case 'refresh_tokens':
      await db.run(`INSERT INTO refresh_tokens (token_hash, family_id, user_id, client_id, scope, issued_at,
        idle_expires_at, expires_at, session_id) VALUES ($1, $1, 'u1', 'c1', 's', 0, $2, $2, $3)`,
      [key, expiresAt, `sid-of-${key}`])
      return
    case 'browser_sessions':
      await db.run(`INSERT INTO browser_sessions (id_hash, sid, user_id, auth_time, last_seen_at, idle_expires_at,
        expires_at, ended_at) VALUES ($1, $1, 'u1', 0, 0, $2, $2, $3)`, [key, expiresAt, extra.endedAt ?? null])
      return
    case 'authorization_codes':
      await db.run(`INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, scope, code_challenge,
        auth_time, issued_at, expires_at) VALUES ($1, 'c1', 'u1', 'https://a.test/cb', 's', 'x', 0, 0, $2)`,
      [key, expiresAt])
      return
    case 'authorization_requests':
      await db.run(`INSERT INTO authorization_requests (id_hash, client_id, parameters, pushed, created_at, expires_at)
        VALUES ($1, 'c1', '{}', 0, 0, $2)`, [key, expiresAt])
      return
    case 'client_assertions':
      await db.run('INSERT INTO client_assertions (client_id, jti, expires_at) VALUES ($1, $1, $2)', [key, expiresAt])
      return
    case 'auth_dpop_proofs':
      await db.run('INSERT INTO auth_dpop_proofs (proof_key, expires_at) VALUES ($1, $2)', [key, expiresAt])
      return
    default:
      throw new Error(`no fixture for ${table}`)
  }
}

/** The keys left in `table`, sorted. */
export async function keysOf (db: SqlDatabase, table: string): Promise<string[]> {
  const rule = RULES.find((candidate) => candidate.table === table)
  if (!rule) throw new Error(`no rule for ${table}`)
  const column = rule.key.split(',')[0] as string
  const rows = await db.all<{ key: string }>(`SELECT ${column} AS key FROM ${table}`)
  return rows.map((row) => row.key).sort()
}
