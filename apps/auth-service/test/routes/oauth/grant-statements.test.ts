import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { JWT_BEARER_ASSERTION, TOKEN_PATH } from '@repo/contracts/oauth'
import { ENGINES, engineEnv, type Engine } from '../../databases.js'
import { ISSUER, buildTestApp } from '../../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
/** The client's lookup: on PostgreSQL one statement for every lookup asked for in one turn of the event loop. */
const LOOKUP: Record<Engine, string> = {
  sqlite: 'get SELECT * FROM clients WHERE client_id = $1',
  postgres: 'all SELECT * FROM clients WHERE client_id = AN'
}
const CLIENT = { jwksUri: undefined, scope: 'reports:read', audience: 'reports-api', grantTypes: ['client_credentials'] }

/**
 * The statements `grant` sends to the database, but the brute-force counters' (on PostgreSQL every
 * replica shares those, rate-limits/: the same for every endpoint that checks a secret) and the key
 * ring's poll (a timer, which a slow machine may fire during the grant).
 */
async function statementsOf (app: App, grant: () => Promise<{ statusCode: number }>): Promise<string[]> {
  const sent: string[] = []
  for (const method of ['get', 'all', 'run', 'transaction'] as const) {
    const original = app.db[method].bind(app.db) as (...args: unknown[]) => Promise<unknown>
    vi.spyOn(app.db, method).mockImplementation(((sql: string, ...rest: unknown[]) => {
      if (!/rate_limits|signing_keys/.test(sql)) sent.push(`${method} ${sql.replace(/\s+/g, ' ').slice(0, 42)}`)
      return original(sql, ...rest)
    }) as never)
  }
  const response = await grant()
  vi.restoreAllMocks()
  expect(response.statusCode).toBe(200)
  return sent
}

describe.each(ENGINES)('statements of a client_credentials grant on %s', (engine: Engine) => {
  it('client_secret_basic: one, the lookup that reads the client and its secret\'s hash', async () => {
    const app = await buildTestApp(await engineEnv(engine))
    const { secret } = await app.clients.add({ ...CLIENT, clientId: 'bot', authMethod: 'client_secret_basic', jwks: undefined }, Date.now())
    const authorization = `Basic ${Buffer.from(`bot:${secret as string}`).toString('base64')}`
    const sent = await statementsOf(app, () => app.inject({
      method: 'POST',
      url: TOKEN_PATH,
      payload: 'grant_type=client_credentials',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }
    }))
    expect(sent).toEqual([LOOKUP[engine]])
  })

  it('private_key_jwt: two, the client\'s lookup and the assertion\'s jti, which must be kept against replay', async () => {
    const app = await buildTestApp(await engineEnv(engine))
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    const jwk = { ...await exportJWK(publicKey), kid: 'k1', alg: 'ES256' }
    await app.clients.add({ ...CLIENT, clientId: 'key-bot', authMethod: 'private_key_jwt', jwks: { keys: [jwk] } }, Date.now())
    const now = Math.floor(Date.now() / 1000)
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('key-bot')
      .setSubject('key-bot').setAudience(ISSUER).setIssuedAt(now).setExpirationTime(now + 60).setJti('j1').sign(privateKey)
    const payload = new URLSearchParams({
      grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion
    }).toString()
    const sent = await statementsOf(app, () => app.inject({
      method: 'POST', url: TOKEN_PATH, payload, headers: { 'content-type': 'application/x-www-form-urlencoded' }
    }))
    expect(sent).toEqual([
      LOOKUP[engine],
      'run INSERT INTO client_assertions (client_id, '
    ])
  })
})

describe('client_credentials grants on PostgreSQL, where each statement is a round trip', () => {
  async function appWithClient () {
    const app = await buildTestApp(await engineEnv('postgres'))
    const { secret } = await app.clients.add({ ...CLIENT, clientId: 'bot', authMethod: 'client_secret_basic', jwks: undefined }, Date.now())
    const grant = () => app.inject({
      method: 'POST',
      url: TOKEN_PATH,
      payload: 'grant_type=client_credentials',
      headers: {
        authorization: `Basic ${Buffer.from(`bot:${secret as string}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded'
      }
    })
    return { app, grant }
  }

  /** Every statement `work` sends, to the length of its table's name. */
  async function statementsDuring (app: App, work: () => Promise<Array<{ statusCode: number }>>): Promise<string[]> {
    const sent: string[] = []
    const all = app.db.all.bind(app.db)
    vi.spyOn(app.db, 'all').mockImplementation(((sql: string, params: never) => {
      if (!/signing_keys/.test(sql)) sent.push(sql.replace(/\s+/g, ' ').slice(0, 30))
      return all(sql, params)
    }) as never)
    const responses = await work()
    vi.restoreAllMocks()
    expect(responses.map(({ statusCode }) => statusCode)).toEqual(responses.map(() => 200))
    return sent
  }

  it('one grant: the per-IP count before the body is read, one read of both failure counters, the lookup', async () => {
    const { app, grant } = await appWithClient()
    expect(await statementsDuring(app, async () => [await grant()])).toEqual([
      'INSERT INTO rate_limits AS cou', 'SELECT key, count, window_ends', 'SELECT * FROM clients WHERE cl'
    ])
  })

  it('grants that arrive together share those three statements', async () => {
    const { app, grant } = await appWithClient()
    expect(await statementsDuring(app, () => Promise.all([grant(), grant(), grant()]))).toEqual([
      'INSERT INTO rate_limits AS cou', 'SELECT key, count, window_ends', 'SELECT * FROM clients WHERE cl'
    ])
  })
})
