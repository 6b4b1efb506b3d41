import { connectWhenUp, type ConnectOptions } from './postgres-connect.js'

/**
 * Brings `component`'s schema to the latest of `migrations`, holding a session advisory lock, so
 * replicas that start together queue here and migrate once. Each migration commits with its row
 * in `schema_migrations`; a failed one leaves the schema at the version before it.
 */
export async function migratePostgres (
  url: string,
  component: string,
  migrations: readonly string[],
  connect: ConnectOptions = {}
): Promise<void> {
  const client = await connectWhenUp(url, connect)
  const lock = `schema_migrations:${component}`
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lock])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component TEXT NOT NULL,
      version INTEGER NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version)
    )`)
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations WHERE component = $1',
      [component]
    )
    for (let version = rows[0]?.version ?? 0; version < migrations.length; version++) {
      await client.query('BEGIN')
      try {
        await client.query(migrations[version] as string)
        await client.query(
          'INSERT INTO schema_migrations (component, version) VALUES ($1, $2)',
          [component, version + 1]
        )
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lock]).catch(() => {})
    await client.end()
  }
}
