import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { LOGIN_PATH } from '@repo/contracts/login'
import { ENGINES, databaseEnv, freshLocation, type Engine } from '../databases.js'
import { buildTestApp } from '../helper.js'

const NOW = Date.UTC(2030, 0, 1)
const TOO_MANY = { statusCode: 429, code: 'too_many_requests', error: 'Too Many Requests', message: 'Too many attempts, retry later' }
const ATTACKER = '198.51.100.7'
const USER = '203.0.113.1'

/** The stores of @fastify/rate-limit read Date.now(): only Date is faked, so nothing else changes pace. */
function fakeClock () {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
  onTestFinished(() => { vi.useRealTimers() })
  return { at: (seconds: number) => vi.setSystemTime(NOW + seconds * 1000) }
}

async function limitedApp (engine: Engine, env: Record<string, string>) {
  const app = await buildTestApp({ LOGIN_RATE_LIMIT: '1000/1m', LOGIN_FAILURE_LIMIT: '1000/15m', LOGIN_ACCOUNT_FAILURE_LIMIT: '1000/1m', ...databaseEnv(await freshLocation(engine)), ...env })
  const attempt = (ip: string, userName: string, password: string) =>
    app.inject({ method: 'POST', url: LOGIN_PATH, payload: { userName, password }, remoteAddress: ip })
  return { app, attempt }
}

async function expectRefused (response: Promise<{ statusCode: number, headers: Record<string, unknown>, json: () => unknown }>, retryAfter: number) {
  const refused = await response
  expect(refused.statusCode).toBe(429)
  expect(refused.json()).toEqual(TOO_MANY)
  expect(refused.headers['retry-after']).toBe(String(retryAfter))
  expect(Object.keys(refused.headers).filter((name) => name.startsWith('x-ratelimit'))).toEqual([])
}

// In memory on SQLite; in the database, shared by every replica, on PostgreSQL.
describe.each(ENGINES)('POST /api/v1/auth: brute-force limits on %s', (engine: Engine) => {
  it('per client IP: the request after LOGIN_RATE_LIMIT is 429 until the window ends; other IPs are not limited', async () => {
    const clock = fakeClock()
    const { app, attempt } = await limitedApp(engine, { LOGIN_RATE_LIMIT: '3/1m' })
    // Every request counts, whatever its outcome: a malformed one too.
    expect((await attempt(ATTACKER, 'Jane', 'pass123')).statusCode).toBe(200)
    expect((await attempt(ATTACKER, 'John', 'wrong')).statusCode).toBe(401)
    expect((await app.inject({ method: 'POST', url: LOGIN_PATH, payload: { userName: 'Jane' }, remoteAddress: ATTACKER })).statusCode).toBe(400)

    await expectRefused(attempt(ATTACKER, 'Jane', 'pass123'), 60)
    expect((await attempt(USER, 'Jane', 'pass123')).statusCode).toBe(200)

    clock.at(59)
    await expectRefused(attempt(ATTACKER, 'Jane', 'pass123'), 1)
    clock.at(60)
    expect((await attempt(ATTACKER, 'Jane', 'pass123')).statusCode).toBe(200)
  })

  it('per client IP behind a reverse proxy named in TRUST_PROXY: the client it forwards for; without TRUST_PROXY everyone behind it is one client', async () => {
    fakeClock()
    const PROXY = '10.0.0.2'
    const attemptVia = (app: Awaited<ReturnType<typeof limitedApp>>['app'], peer: string, forwardedFor: string) => app.inject({
      method: 'POST', url: LOGIN_PATH, payload: { userName: 'Jane', password: 'pass123' }, remoteAddress: peer, headers: { 'x-forwarded-for': forwardedFor }
    })
    const behindProxy = await limitedApp(engine, { LOGIN_RATE_LIMIT: '1/1m', TRUST_PROXY: '10.0.0.0/8' })
    expect((await attemptVia(behindProxy.app, PROXY, ATTACKER)).statusCode).toBe(200)
    await expectRefused(attemptVia(behindProxy.app, PROXY, ATTACKER), 60)
    expect((await attemptVia(behindProxy.app, PROXY, USER)).statusCode).toBe(200)
    // A client reaching the service directly cannot choose the address counted: its header is ignored.
    await expectRefused(attemptVia(behindProxy.app, ATTACKER, '192.0.2.99'), 60)

    const unaware = await limitedApp(engine, { LOGIN_RATE_LIMIT: '1/1m' })
    expect((await attemptVia(unaware.app, PROXY, ATTACKER)).statusCode).toBe(200)
    await expectRefused(attemptVia(unaware.app, PROXY, USER), 60)
  })

  it('per client IP: an IPv6 client is its /64', async () => {
    fakeClock()
    const { attempt } = await limitedApp(engine, { LOGIN_RATE_LIMIT: '1/1m' })
    expect((await attempt('2001:db8:0:1::1', 'Jane', 'pass123')).statusCode).toBe(200)
    await expectRefused(attempt('2001:db8:0:1:ffff::2', 'Jane', 'pass123'), 60)
    expect((await attempt('2001:db8:0:2::1', 'Jane', 'pass123')).statusCode).toBe(200)
  })

  it('failures per account and IP: the attacker\'s IP is locked out of that account; the real user and other accounts are not', async () => {
    const clock = fakeClock()
    const { attempt } = await limitedApp(engine, { LOGIN_FAILURE_LIMIT: '3/15m' })
    for (const password of ['guess1', 'guess2', 'guess3']) expect((await attempt(ATTACKER, 'Jane', password)).statusCode).toBe(401)

    // Refused before the password is checked, even the right one.
    await expectRefused(attempt(ATTACKER, 'Jane', 'pass123'), 900)
    expect((await attempt(USER, 'Jane', 'pass123')).statusCode).toBe(200)
    expect((await attempt(ATTACKER, 'John', 'testpass')).statusCode).toBe(200)

    clock.at(900)
    expect((await attempt(ATTACKER, 'Jane', 'pass123')).statusCode).toBe(200)
  })

  it('failures per account from all IPs: a spread attack locks the account for the short window only', async () => {
    const clock = fakeClock()
    const { attempt } = await limitedApp(engine, { LOGIN_FAILURE_LIMIT: '2/15m', LOGIN_ACCOUNT_FAILURE_LIMIT: '4/1m' })
    for (const ip of ['198.51.100.1', '198.51.100.1', '198.51.100.2', '198.51.100.2']) {
      expect((await attempt(ip, 'Jane', 'guess')).statusCode).toBe(401)
    }

    await expectRefused(attempt(USER, 'Jane', 'pass123'), 60)
    expect((await attempt(USER, 'John', 'testpass')).statusCode).toBe(200)

    // The real user gets in once the account's window ends; the attackers' IPs stay locked out of it.
    clock.at(60)
    expect((await attempt(USER, 'Jane', 'pass123')).statusCode).toBe(200)
    await expectRefused(attempt('198.51.100.1', 'Jane', 'pass123'), 840)
  })

  it('successful logins never count against the account', async () => {
    fakeClock()
    const { attempt } = await limitedApp(engine, { LOGIN_FAILURE_LIMIT: '1/15m', LOGIN_ACCOUNT_FAILURE_LIMIT: '1/1m' })
    for (let i = 0; i < 5; i++) expect((await attempt(USER, 'Jane', 'pass123')).statusCode).toBe(200)
  })
})

describe('brute-force limits on PostgreSQL', () => {
  it('are counted once for all replicas: failures on one replica lock the account on the others', async () => {
    const clock = fakeClock()
    const env = { ...databaseEnv(await freshLocation('postgres')), LOGIN_FAILURE_LIMIT: '3/15m' }
    const replicas = await Promise.all([1, 2, 3].map(() => buildTestApp(env)))
    const attempt = (replica: number, password: string) =>
      replicas[replica]!.inject({ method: 'POST', url: LOGIN_PATH, payload: { userName: 'Jane', password }, remoteAddress: ATTACKER })
    for (const replica of [0, 1, 2]) expect((await attempt(replica, `guess${replica}`)).statusCode).toBe(401)

    for (const replica of [0, 1, 2]) await expectRefused(attempt(replica, 'pass123'), 900)
    clock.at(900)
    expect((await attempt(1, 'pass123')).statusCode).toBe(200)
  })
})
