import pg from 'pg'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { login, tokenFor } from '@repo/service-harness/http'
import { keyEvents, runAuthCli, type ServiceProcess } from '@repo/service-harness/service-process'
import { kidOf } from '../src/jwks.js'
import { runLoad } from '../src/load.js'
import { type Answer, runOutageLoad } from '../src/outage-load.js'
import { refresh } from '../src/oauth-requests.js'
import { replicaSuite } from '../src/replicas.js'
import { clientSecretIn } from '@repo/service-harness/client-secret'

const CONNECT_TIMEOUT_MS = 1000
const AUTH_ENV = {
  JWKS_MAX_AGE: '1s',
  KEY_PREPUBLISH: '2s',
  KEY_STATE_POLL: '100ms',
  CLOCK_TOLERANCE: '0s',
  LOGIN_RATE_LIMIT: '100000/1m',
  OAUTH_RATE_LIMIT: '100000/1m',
  DATABASE_CONNECT_TIMEOUT: `${CONNECT_TIMEOUT_MS}ms`
}

interface ListedKey { kid: string, state: string }

async function query<Row> (url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows as Row[]
  } finally {
    await client.end()
  }
}

/** Every `database_outage` warning a replica logged. */
const outagesLogged = (replica: ServiceProcess) => replica.output().split('\n')
  .filter((line) => line.includes('"event":"database_outage"'))
  .map((line) => JSON.parse(line) as { refusedRequests: number, startedAt: string, endedAt: string, durationMs: number })

describe('auth-service replicas while their PostgreSQL goes away and comes back', () => {
  const suite = replicaSuite()

  it('answers only 503 with Retry-After during the outage, follows it in readiness, and serves again within 2 s of its return, losing nothing', async () => {
    const set = await suite.start({ count: 2, authEnv: AUTH_ENV, consumerEnv: { JWKS_CACHE_TTL: '1s', JWKS_COOLDOWN: '1s', CLOCK_TOLERANCE: '0s' } })
    const urls = set.replicas.map((replica) => replica.url)
    const added = await runAuthCli('clients', ['add', 'outage-bot', '--scope', 'reports:read', '--audience', 'consumer-service'], set.authEnv)
    expect(added.code, added.stderr).toBe(0)
    const client = { id: 'outage-bot', secret: clientSecretIn(added.stdout) as string }
    const refreshTokens = await Promise.all(urls.flatMap((url) => [url, url]).map(async (url) => (await login(url, 'Jane', 'pass123')).body.refresh_token as string))
    const consumerToken = await tokenFor(set.issuer, 'Jane', 'pass123')
    const oldKid = kidOf(consumerToken)

    const stop = new AbortController()
    onTestFinished(() => stop.abort())
    const load = runOutageLoad(urls, { client, refreshTokens }, stop.signal)
    // The consumer verifies tokens with the keys it has: no database on its path.
    const verifying = runLoad(`${(set.consumer as ServiceProcess).url}/api/v1/protected`, () => consumerToken, 2, stop.signal)
    const count = (replica: number, kind: Answer['kind'], status: number, after = 0) =>
      load.answers.filter((a) => a.replica === replica && a.kind === kind && a.status === status && a.sentAt >= after).length
    await vi.waitUntil(() => urls.every((_url, i) => count(i, 'grant', 200) >= 20 && count(i, 'refresh', 200) >= 5), { timeout: 15_000, interval: 20 })

    // A key transition falls due in the middle of the outage: the next key, published now, signs 2 s from now.
    const rotated = await runAuthCli('keys', ['rotate'], set.authEnv)
    expect(rotated.code, rotated.stderr).toBe(0)
    const newKid = /next key (\S+) is published/.exec(rotated.stdout)?.[1] as string
    const activationDue = performance.now() + 2000

    const postgres = suite.postgres()
    const pausedAt = performance.now()
    await postgres.pause()
    // Down for as long as it takes every replica to refuse, say so in readiness, and the activation to fall due.
    await vi.waitUntil(() => performance.now() > activationDue + 500 && urls.every((_url, i) =>
      count(i, 'grant', 503, pausedAt) >= 20 && count(i, 'ready', 503, pausedAt) >= 1), { timeout: 15_000, interval: 20 })
    await postgres.resume()
    const resumedAt = performance.now()
    // Every replica serves again, and says so: no restart.
    await vi.waitUntil(() => urls.every((_url, i) => count(i, 'grant', 200, resumedAt) >= 5 && count(i, 'refresh', 200, resumedAt) >= 2 &&
      count(i, 'ready', 200, resumedAt) >= 1), { timeout: 10_000, interval: 20 })
    stop.abort()
    const [{ answers, redeemed }, verified] = await Promise.all([load.done, verifying.done])
    // The LISTEN connection is retried once a second: it may come back a moment after the requests do.
    await vi.waitUntil(() => set.replicas.every((replica) => replica.output().includes('database change notifications restored')),
      { timeout: 5000, interval: 50 })

    const during = answers.filter((a) => a.answeredAt > pausedAt && a.sentAt < resumedAt)
    const recovery = urls.map((_url, i) => {
      const firstServed = answers.filter((a) => a.replica === i && a.kind === 'grant' && a.status === 200 && a.sentAt > pausedAt)
        .reduce((first, a) => Math.min(first, a.answeredAt), Number.POSITIVE_INFINITY)
      const firstReady = answers.filter((a) => a.replica === i && a.kind === 'ready' && a.status === 200 && a.sentAt > pausedAt)
        .reduce((first, a) => Math.min(first, a.answeredAt), Number.POSITIVE_INFINITY)
      return { served: Math.round(Math.max(0, firstServed - resumedAt)), ready: Math.round(Math.max(0, firstReady - resumedAt)) }
    })
    const tally: Record<string, number> = {}
    for (const a of during) tally[`${a.kind} ${a.status}`] = (tally[`${a.kind} ${a.status}`] ?? 0) + 1
    console.log(`database outage: ${Math.round(resumedAt - pausedAt)} ms down; during it ${JSON.stringify(tally)}; ` +
      `back after resume (ms): ${JSON.stringify(recovery)}; consumer ${verified.total} verifications, ${verified.non2xx} non-2xx`)

    // During the outage: what needs the database is 503 with Retry-After, nothing else, and never slower than the bound.
    const needsDb = during.filter((a) => a.kind === 'grant' || a.kind === 'refresh')
    expect(needsDb.filter((a) => a.status !== 200 && !(a.status === 503 && a.retryAfter === '2'))).toEqual([])
    expect(needsDb.filter((a) => a.answeredAt - a.sentAt > CONNECT_TIMEOUT_MS + 1000)).toEqual([])
    expect(needsDb.filter((a) => a.status === 503 && a.error !== 'temporarily_unavailable')).toEqual([])
    // Readiness said so; liveness and the JWKS never depended on it.
    expect(during.filter((a) => a.kind === 'ready' && a.status !== 200 && a.status !== 503)).toEqual([])
    expect(answers.filter((a) => a.kind === 'jwks' && a.status !== 200)).toEqual([])
    expect([verified.non2xx, verified.errors]).toEqual([0, []])
    for (const i of urls.keys()) {
      const refused = answers.filter((a) => a.replica === i && a.status === 503 && (a.kind === 'grant' || a.kind === 'refresh')).length
      // One warning per outage, counting exactly the requests it refused.
      expect(outagesLogged(set.replicas[i] as ServiceProcess).reduce((sum, outage) => sum + outage.refusedRequests, 0)).toBe(refused)
      expect(set.replicas[i]?.output()).not.toMatch(/"level":(50|60)/)
      expect(set.replicas[i]?.output()).toContain('database change notifications restored')
    }
    expect(recovery.every(({ served, ready }) => served < 2000 && ready < 2000)).toBe(true)

    // No refresh token redeemed twice, and no chain broken by a rotation half done.
    expect(new Set(redeemed).size).toBe(redeemed.length)
    expect(answers.filter((a) => a.kind === 'refresh' && a.status !== 200 && a.status !== 503)).toEqual([])
    // The activation that fell due during the outage happened after it, once.
    const activations = (await keyEvents(set.authEnv)).filter((e) => e.event === 'key_activated' && e.kid === newKid)
    expect(activations).toHaveLength(1)
    expect(set.started.map((replica) => replica.instanceId)).toContain(activations[0]?.by)
    const listed = await runAuthCli('keys', ['list', '--json'], set.authEnv)
    expect((JSON.parse(listed.stdout) as ListedKey[]).map((key) => [key.kid, key.state])).toEqual([[oldKid, 'retiring'], [newKid, 'active']])
    expect(await Promise.all(urls.map(async (url) => kidOf(await tokenFor(url, 'Jane', 'pass123'))))).toEqual([newKid, newKid])
  }, 60_000)

  /** How a test holds a refresh at one statement: set up, then what the held statement starts with; `release` undoes it. */
  const HOLDS = {
    // After the token was marked used, in the rotation's transaction: its successor's INSERT waits for a lock.
    'inserting the successor': {
      setUp: `CREATE FUNCTION hold_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NEW; END $$;
        CREATE TRIGGER hold_insert BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION hold_insert();`,
      hold: 'SELECT pg_advisory_lock(4242)',
      held: 'INSERT INTO refresh_tokens%',
      release: 'SELECT pg_advisory_unlock(4242)',
      tearDown: 'DROP TRIGGER hold_insert ON refresh_tokens; DROP FUNCTION hold_insert()'
    },
    // Reading the user the new access token is for.
    'reading the user': {
      setUp: 'SELECT 1',
      hold: 'BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE',
      held: 'SELECT * FROM users%',
      release: 'ROLLBACK',
      tearDown: 'SELECT 1'
    }
  }

  it.each(Object.keys(HOLDS) as Array<keyof typeof HOLDS>)('answers 503 to a refresh whose connection the server kills while %s, leaving the token unused and redeemable once', async (point) => {
    const { setUp, hold, held, release, tearDown } = HOLDS[point]
    const set = await suite.start({ count: 2, authEnv: AUTH_ENV, consumer: false })
    const [first, second] = set.replicas.map((replica) => replica.url) as [string, string]
    const databaseUrl = set.authEnv.DATABASE_URL as string
    const token = (await login(first, 'Jane', 'pass123')).body.refresh_token as string
    await query(databaseUrl, setUp)
    const holder = new pg.Client({ connectionString: databaseUrl })
    await holder.connect()
    onTestFinished(() => holder.end().catch(() => {}))
    await holder.query(hold)

    const cut = refresh(second, token)
    const waiting = () => query<{ pid: number }>(databaseUrl, "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1", [held])
    await vi.waitUntil(async () => (await waiting()).length === 1, { timeout: 5000, interval: 20 })
    const [{ pid }] = await waiting() as [{ pid: number }]
    await query(databaseUrl, 'SELECT pg_terminate_backend($1)', [pid])
    const answer = await cut
    expect([answer.status, answer.headers.get('retry-after'), answer.body]).toEqual([503, '2', { error: 'temporarily_unavailable', error_description: 'Try again later' }])

    await holder.query(release)
    await query(databaseUrl, tearDown)
    // Nothing half-done: the token is unused, and its family has no successor.
    expect(await query(databaseUrl, 'SELECT count(*)::int AS tokens, count(used_at)::int AS used FROM refresh_tokens')).toEqual([{ tokens: 1, used: 0 }])
    // So the client's retry redeems it, once; the replica whose connection was killed serves on.
    const retried = await refresh(second, token)
    expect(retried.status).toBe(200)
    // Presented again inside REFRESH_TOKEN_REUSE_GRACE: the same successor, not a second rotation.
    expect(await refresh(first, token)).toMatchObject({ status: 200, body: { refresh_token: retried.body.refresh_token } })
    expect(await query(databaseUrl, 'SELECT count(*)::int AS tokens, count(used_at)::int AS used FROM refresh_tokens'))
      .toEqual([{ tokens: 2, used: 1 }])
    expect(set.replicas[1]?.output()).not.toMatch(/"level":(50|60)/)
  })
})
