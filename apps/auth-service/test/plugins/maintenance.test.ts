import { describe, expect, it, vi } from 'vitest'
import { buildTestApp, captureLogs } from '../helper.js'

describe('the maintenance plugin', () => {
  it('purges on PURGE_INTERVAL in a running app and says what it deleted', async () => {
    const { lines, logger } = captureLogs()
    const app = await buildTestApp({ PURGE_INTERVAL: '1s', SEED_DEMO_USERS: 'false' }, { logger })
    await app.db.run(`INSERT INTO authorization_requests
      (id_hash, client_id, parameters, pushed, created_at, expires_at) VALUES ('expired', 'c1', '{}', 0, 0, $1)`,
    [Date.now() - 1])
    // The line comes once the whole run is done; the run deleted the row before it.
    const purged = () => lines.map((line) => JSON.parse(line) as { event?: string, counts?: object })
      .filter((line) => line.event === 'purged')
    await vi.waitUntil(() => purged().length > 0, { timeout: 5000, interval: 100 })
    const counts = expect.objectContaining({ authorization_requests: 1 })
    expect(purged()).toEqual([expect.objectContaining({ counts })])
    expect(await app.db.all('SELECT 1 FROM authorization_requests')).toEqual([])
  })
})
