import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import { LOGIN_PATH } from '@repo/contracts/login'
import { buildTestApp } from '../../helper.js'
import { WEB_APP, cookiesSet, csrfTokenIn, form, startInteraction, type TestApp } from './pages-helper.js'

const NOW = Date.UTC(2030, 0, 1)
const ATTACKER = '198.51.100.7'

/**
 * The rate limits (@fastify/rate-limit's stores) read Date.now(): only Date is faked, and the app's
 * `now` reads it too, so sessions, pending requests and limits share one clock.
 */
function fakeClock () {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
  onTestFinished(() => { vi.useRealTimers() })
  return { at: (seconds: number) => vi.setSystemTime(NOW + seconds * 1000) }
}

async function loginAttempt (app: TestApp, password: string, ip = ATTACKER) {
  const { interaction, cookies } = await startInteraction(app, Date.now())
  const page = await app.inject({ method: 'GET', url: `${LOGIN_PAGE_PATH}?interaction=${interaction}`, cookies })
  return app.inject({
    method: 'POST',
    url: LOGIN_PAGE_PATH,
    ...form({ userName: 'Jane', password, interaction, _csrf: csrfTokenIn(page.body) }),
    cookies: { ...cookies, ...cookiesSet(page) },
    remoteAddress: ip
  })
}

describe('POST /login: the brute-force limits of the JSON login', () => {
  it('refuses the sixth wrong password for an account (LOGIN_FAILURE_LIMIT 5/15m) with the wait in words; the user gets in after it', async () => {
    const clock = fakeClock()
    const app = await buildTestApp({}, { now: () => Date.now() })
    await app.clients.add(WEB_APP, NOW)
    for (let i = 1; i <= 5; i++) expect((await loginAttempt(app, `guess-${i}`)).statusCode).toBe(401)

    const refused = await loginAttempt(app, 'pass123')
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBe('900')
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(refused.body).toContain('<p role="alert">Too many attempts. Try again in 15 minutes.</p>')
    expect(refused.cookies.map(({ name }) => name)).not.toContain('session')
    // The same counters as the JSON login: that door is closed to this IP too.
    const json = await app.inject({ method: 'POST', url: LOGIN_PATH, payload: { userName: 'Jane', password: 'pass123' }, remoteAddress: ATTACKER })
    expect(json.statusCode).toBe(429)

    clock.at(14 * 60)
    expect((await loginAttempt(app, 'pass123')).body).toContain('Try again in 1 minute.')
    clock.at(15 * 60)
    const ok = await loginAttempt(app, 'pass123')
    expect(ok.statusCode).toBe(303)
    expect(cookiesSet(ok).session).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
