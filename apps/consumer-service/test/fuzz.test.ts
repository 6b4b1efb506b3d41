import type { FastifyLoggerOptions } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { fuzzService } from '@repo/service-harness/fuzz'
import { loggerOptions } from '@repo/service-kit/logger'
import { buildApp } from '../src/app.js'
import { fakeIssuer, keysLoaded, tempDataDir, testConfig } from './helper.js'

/** Fixed, so a failure is the same on every run; change it (or the runs) locally to explore further. */
const SEED = 18
const RUNS_PER_OPERATION = 25

describe('schema-driven fuzz of the consumer service', () => {
  it('answers requests generated from /docs/json without a 5xx, within 5 s, logging no secret sent', async () => {
    const issuer = await fakeIssuer()
    const lines: string[] = []
    // The service's own logger settings (redaction included), at its most talkative level.
    const settings = loggerOptions({ level: 'trace', pretty: false }) as FastifyLoggerOptions
    const logger = { ...settings, stream: { write: (line: string) => { lines.push(line) } } }
    const app = await buildApp(testConfig(issuer, { DATA_DIR: await tempDataDir(), LOG_LEVEL: 'trace' }), { logger })
    onTestFinished(() => app.close())
    await keysLoaded(app)
    const document = (await app.inject('/docs/json')).json()
    // Valid tokens of each algorithm, and one with the read scope only: requests get past authentication too.
    const tokens = [...Object.values(issuer.keys).map((key) => issuer.token(key)),
      issuer.token(undefined, { claims: { scope: 'reports:read', role: 'read' } })]

    const failures = await fuzzService({
      document,
      send: async ({ method, url, headers, body }) =>
        (await app.inject({ method: method as 'GET', url, headers, payload: body })).statusCode,
      logLines: lines,
      credentials: { headers: tokens.map((token) => ({ authorization: `Bearer ${token}` })) }
    }, { seed: SEED, runsPerOperation: RUNS_PER_OPERATION })

    expect(failures).toEqual([])
  }, 120_000)
})
