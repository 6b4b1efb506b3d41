import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDatabase } from '@repo/service-kit/sql'
import { batchDeleteSql } from '../../src/maintenance/purge.js'
import { openAuthDatabase } from '../../src/db/open-auth-database.js'
import { freshLocation } from '../databases.js'
import { RULES, T0 } from '../maintenance/purge-fixture.js'

/** The lookups of the hot paths, as the stores send them (values inlined: EXPLAIN plans them alike). */
const HOT_PATH: ReadonlyArray<[string, string]> = [
  ['refresh token by hash', "SELECT * FROM refresh_tokens WHERE token_hash = 'h'"],
  ['refresh tokens of a family',
    "SELECT user_id FROM refresh_tokens WHERE family_id = 'f' AND revoked_at IS NULL LIMIT 1"],
  ['refresh tokens of a session',
    "UPDATE refresh_tokens SET revoked_at = 1 WHERE session_id = 's' AND revoked_at IS NULL"],
  ['session by handle', "SELECT * FROM browser_sessions WHERE id_hash = 'h'"],
  ['session by sid', "SELECT ended_at FROM browser_sessions WHERE sid = 's'"],
  ['sessions of a user', "UPDATE browser_sessions SET ended_at = 1 WHERE user_id = 'u' AND ended_at IS NULL"],
  ['code by hash', "SELECT * FROM authorization_codes WHERE code_hash = 'h'"],
  ['pending request by id', "SELECT * FROM authorization_requests WHERE id_hash = 'h'"],
  ['client by id', "SELECT * FROM clients WHERE client_id = 'c'"],
  ['assertion jti', "SELECT 1 FROM client_assertions WHERE client_id = 'c' AND jti = 'j'"],
  ['DPoP proof jti', "SELECT 1 FROM auth_dpop_proofs WHERE proof_key = 'k'"],
  ['user by name, any case', "SELECT * FROM users WHERE lower(user_name) = lower('Jane') ORDER BY created_at LIMIT 1"],
  ['user by name', "SELECT * FROM users WHERE user_name = 'jane'"],
  ['consent', "SELECT * FROM consents WHERE user_id = 'u' AND client_id = 'c'"],
  ['rate-limit counter', "SELECT count FROM rate_limits WHERE key = 'k'"]
]

/** The purge's statements, its cut-offs and batch size inlined. */
const PURGE: ReadonlyArray<[string, string]> = RULES.map((rule) => {
  const values = [...rule.params(T0), 1000]
  const sql = batchDeleteSql(rule, values.length).replace(/\$(\d+)/g, (_, n: string) => String(values[Number(n) - 1]))
  return [`purge of ${rule.table}`, sql]
})

interface PlanNode { 'Node Type': string, 'Relation Name'?: string, Plans?: PlanNode[] }

/** Every scan of the plan, as `Node Type on relation`. */
function scans (node: PlanNode): string[] {
  const own = node['Relation Name'] === undefined ? [] : [`${node['Node Type']} on ${node['Relation Name']}`]
  return [...own, ...(node.Plans ?? []).flatMap(scans)]
}

/**
 * The plan PostgreSQL picks with sequential scans priced out (`enable_seqscan = off`): it still picks
 * one when no index serves the statement, so a Seq Scan in the plan means a missing index, whatever the
 * table's size.
 */
async function planOf (db: SqlDatabase, sql: string): Promise<string[]> {
  return db.transaction('explain', async (tx) => {
    await tx.run('SET LOCAL enable_seqscan = off')
    const [row] = await tx.all<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`)
    const json = row?.['QUERY PLAN']
    const plan = (typeof json === 'string' ? JSON.parse(json) as unknown : json) as Array<{ Plan?: PlanNode }>
    if (!plan[0]?.Plan) throw new Error(`no plan for ${sql}`)
    return scans(plan[0].Plan)
  })
}

describe('indexes on PostgreSQL', () => {
  let db: SqlDatabase
  beforeAll(async () => {
    db = await openAuthDatabase(await freshLocation('postgres'))
  })
  afterAll(() => db.close())

  it.each([...HOT_PATH, ...PURGE])('%s reads by an index', async (_, sql) => {
    const plan = await planOf(db, sql)
    expect(plan.length).toBeGreaterThan(0)
    expect(plan.filter((scan) => scan.startsWith('Seq Scan'))).toEqual([])
  })
})
