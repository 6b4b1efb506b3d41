import pg from 'pg'

/** Where a scan found private-key material: never the value itself, which a test report would print. */
export interface PrivateKeyFinding {
  table: string
  column: string
  pattern: string
}

/** Just enough of a database to read it whole: `@repo/service-kit`'s SqlDatabase fits, or `pg` wrapped. */
export interface ScannableDatabase {
  dialect: 'sqlite' | 'postgres'
  all: (sql: string) => Promise<Array<Record<string, unknown>>>
}

/**
 * What private keys look like at rest: PEM, and the base64 of a DER PKCS#8 (or PKCS#1) key of each
 * algorithm the service makes. Long enough prefixes that random base64url (a sealed envelope, a
 * public modulus) matches none of them by chance.
 */
export const PRIVATE_KEY_PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ['PEM', /-----BEGIN/],
  ['RSA PKCS#8 (MIIE…IBADAN)', /MII[A-Za-z0-9+/]{3}IBADAN/],
  ['RSA PKCS#1 (MIIE…IBAAKC)', /MII[A-Za-z0-9+/]{3}IBAAKC/],
  ['P-256 PKCS#8 (MIGHAgEA)', /MIGHAgEAMBMG/],
  ['Ed25519 PKCS#8 (MC4CAQAw)', /MC4CAQAwBQYDK2Vw/]
]

const tablesSql = {
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  postgres: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()'
}
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Every table, every row, every text value of `db`, searched for private-key material. */
export async function scanForPrivateKeys (db: ScannableDatabase): Promise<PrivateKeyFinding[]> {
  const findings: PrivateKeyFinding[] = []
  for (const { name } of await db.all(tablesSql[db.dialect])) {
    const table = String(name)
    for (const row of await db.all(`SELECT * FROM ${quote(table)}`)) {
      for (const [column, value] of Object.entries(row)) {
        const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : undefined
        if (text === undefined) continue
        for (const [pattern, regex] of PRIVATE_KEY_PATTERNS) {
          if (regex.test(text)) findings.push({ table, column, pattern })
        }
      }
    }
  }
  return findings
}

/** `scanForPrivateKeys` on the PostgreSQL database at `url`, through a connection of its own. */
export async function scanPostgresForPrivateKeys (url: string): Promise<PrivateKeyFinding[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await scanForPrivateKeys({
      dialect: 'postgres',
      all: async (sql) => (await client.query<Record<string, unknown>>(sql)).rows
    })
  } finally {
    await client.end()
  }
}
