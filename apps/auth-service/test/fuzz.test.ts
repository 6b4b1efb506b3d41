import type { FastifyLoggerOptions } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { fuzzService } from '@repo/service-harness/fuzz'
import { loggerOptions } from '@repo/service-kit/logger'
import { buildApp } from '../src/app.js'
import { tempDataDir, testConfig } from './helper.js'
import { addReceiver, clientToken } from './routes/ssf-receiver.js'

/** Fixed, so a failure is the same on every run; change it (or the runs) locally to explore further. */
const SEED = 18
const RUNS_PER_OPERATION = 25
/** The brute-force limits out of the way: the fuzz is for what lies behind them. */
const NO_RATE_LIMITS = Object.fromEntries(['LOGIN_RATE_LIMIT', 'LOGIN_FAILURE_LIMIT', 'LOGIN_ACCOUNT_FAILURE_LIMIT',
  'OAUTH_RATE_LIMIT', 'OAUTH_FAILURE_LIMIT', 'OAUTH_CLIENT_FAILURE_LIMIT'].map((name) => [name, '1000000/1s']))

describe('schema-driven fuzz of the auth service', () => {
  it('answers requests generated from /docs/json without a 5xx, within 5 s, logging no secret sent', async () => {
    const lines: string[] = []
    // The service's own logger settings (redaction included), at its most talkative level.
    const settings = loggerOptions({ level: 'trace', pretty: false }) as FastifyLoggerOptions
    const logger = { ...settings, stream: { write: (line: string) => { lines.push(line) } } }
    const env = { DATA_DIR: await tempDataDir(), LOG_LEVEL: 'trace', ...NO_RATE_LIMITS }
    const app = await buildApp(testConfig(env), { logger })
    onTestFinished(() => app.close())
    const document = (await app.inject('/docs/json')).json()
    // A Shared Signals receiver's token, so requests get past the SSF endpoints' authentication too.
    const receiver = `Bearer ${await clientToken(app, await addReceiver(app, 'fuzz-receiver'))}`

    const failures = await fuzzService({
      document,
      send: async ({ method, url, headers, body }) =>
        (await app.inject({ method: method as 'GET', url, headers, payload: body })).statusCode,
      logLines: lines,
      // The demo users, so some logins succeed (their passwords are secrets too), and the grants and
      // client the token endpoint knows, so some requests get past its first checks.
      credentials: {
        headers: [{ authorization: receiver }],
        fields: {
          userName: ['Jane', 'John'],
          password: ['pass123', 'testpass'],
          grant_type: ['client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
          client_id: ['demo-client'],
          client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer']
        }
      }
    }, { seed: SEED, runsPerOperation: RUNS_PER_OPERATION })

    expect(failures).toEqual([])
  }, 120_000)
})
