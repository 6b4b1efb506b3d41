import { randomBytes } from 'node:crypto'
import type { SqlQueryable } from '@repo/service-kit/sql'

/**
 * The secret the DPoP server nonces are made with, the same on every replica of one database: the
 * first replica to start stores a random one, and every replica reads whichever was stored first.
 */
export async function loadNonceSecret (db: SqlQueryable): Promise<Buffer> {
  await db.run('INSERT INTO dpop_nonce_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING',
    [randomBytes(32).toString('base64url')])
  const row = await db.get<{ secret: string }>('SELECT secret FROM dpop_nonce_secret WHERE id = 1')
  if (!row) throw new Error('the DPoP nonce secret was not stored')
  return Buffer.from(row.secret, 'base64url')
}
