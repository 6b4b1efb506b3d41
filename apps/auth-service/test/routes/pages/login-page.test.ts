import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_RESUME_PATH, LOGIN_PAGE_PATH } from '@repo/contracts/authorization'
import { buildTestApp, captureLogs } from '../../helper.js'
import { WEB_APP, cookiesSet, csrfTokenIn, form, startInteraction, type TestApp } from './pages-helper.js'

const NOW = Date.UTC(2030, 0, 1)

/** Opens the login page of a new pending request, as the browser would after /authorize. */
async function openLoginPage (app: TestApp, at = NOW) {
  const { interaction, cookies } = await startInteraction(app, at)
  const page = await app.inject({ method: 'GET', url: `${LOGIN_PAGE_PATH}?interaction=${interaction}`, cookies })
  expect(page.statusCode).toBe(200)
  return { interaction, page, cookies: { ...cookies, ...cookiesSet(page) }, csrf: csrfTokenIn(page.body) }
}

async function appWithClient (env: Record<string, string> = {}, overrides: Parameters<typeof buildTestApp>[1] = {}) {
  const app = await buildTestApp(env, { now: () => NOW, ...overrides })
  await app.clients.add(WEB_APP, NOW)
  return app
}

describe('GET /login', () => {
  it('renders a labelled form naming the client and what it asks for, with a CSRF token, no script, no cache', async () => {
    const app = await appWithClient()
    const { page } = await openLoginPage(app)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.body).toContain('<html lang="en">')
    expect(page.body).toMatch(/<title>Sign in[^<]*<\/title>/)
    expect(page.body).toContain('<strong>Report Viewer</strong> asks to:')
    for (const words of ['know who you are', 'read your reports', 'create reports']) expect(page.body).toContain(`<li>${words}</li>`)
    expect(page.body).toContain('<label for="userName">')
    expect(page.body).toContain('<label for="password">')
    expect(page.body).toMatch(/id="userName"[^>]*autocomplete="username"/)
    expect(page.body).toMatch(/id="password" name="password" type="password" autocomplete="current-password"/)
    expect(page.body).not.toContain('<script')
    expect(page.body).toContain('<link rel="stylesheet" href="/assets/pages.css">')
    // The CSRF secret: HttpOnly, SameSite=Lax, no `__Host-`/Secure on an http issuer.
    expect(page.cookies).toEqual([expect.objectContaining({ name: 'csrf', path: '/', httpOnly: true, sameSite: 'Lax' })])
    expect(page.cookies[0]).not.toHaveProperty('secure')
  })

  it('sends the security headers: a strict CSP, no framing, no referrer, no caching', async () => {
    const app = await appWithClient()
    const { page } = await openLoginPage(app)
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none';style-src 'self';img-src 'self';frame-ancestors 'none';base-uri 'none'")
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
  })

  it('keeps those headers off the JSON API and the docs', async () => {
    const app = await appWithClient()
    for (const url of ['/.well-known/jwks.json', '/docs/json']) {
      const response = await app.inject({ method: 'GET', url })
      expect(response.headers['content-security-policy'], url).toBeUndefined()
      expect(response.headers['x-frame-options'], url).toBeUndefined()
    }
  })

  it('serves the stylesheet', async () => {
    const app = await appWithClient()
    const css = await app.inject({ method: 'GET', url: '/assets/pages.css' })
    expect(css.statusCode).toBe(200)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    expect(css.body).toContain(':focus-visible')
    expect((await app.inject({ method: 'GET', url: '/assets/layout.eta' })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: '/assets/../login.eta' })).statusCode).toBe(404)
  })

  it('refuses a page whose interaction cookie is missing or names another request (403), and an expired one (400)', async () => {
    const app = await appWithClient()
    const { interaction } = await startInteraction(app, NOW)
    const other = await startInteraction(app, NOW)
    for (const cookies of [{}, other.cookies]) {
      const refused = await app.inject({ method: 'GET', url: `${LOGIN_PAGE_PATH}?interaction=${interaction}`, cookies })
      expect(refused.statusCode).toBe(403)
      expect(refused.body).toContain('This sign-in was started in another browser')
      expect(refused.body).not.toContain('<form')
      expect(refused.headers['x-frame-options']).toBe('DENY')
    }
    const unknown = 'A'.repeat(43)
    const expired = await app.inject({ method: 'GET', url: `${LOGIN_PAGE_PATH}?interaction=${unknown}`, cookies: { interaction: unknown } })
    expect(expired.statusCode).toBe(400)
    expect(expired.body).toContain('This sign-in is no longer valid.')
    expect(expired.body).toContain('Go back to the app you came from')
  })
})

describe('POST /login', () => {
  it('refuses a form without its CSRF token, or with another one (403), and logs nobody in', async () => {
    const app = await appWithClient()
    const { interaction, cookies, csrf } = await openLoginPage(app)
    const { cookies: otherCookies } = await openLoginPage(app)
    const attempts = [
      { fields: { userName: 'Jane', password: 'pass123', interaction }, cookies },
      { fields: { userName: 'Jane', password: 'pass123', interaction, _csrf: 'forged' }, cookies },
      { fields: { userName: 'Jane', password: 'pass123', interaction, _csrf: csrf }, cookies: { interaction: cookies.interaction as string } },
      { fields: { userName: 'Jane', password: 'pass123', interaction, _csrf: csrf }, cookies: { ...cookies, csrf: otherCookies.csrf as string } }
    ]
    for (const { fields, cookies: sent } of attempts) {
      const refused = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form(fields), cookies: sent })
      expect(refused.statusCode).toBe(403)
      expect(refused.body).toContain('The form has expired')
      expect(refused.headers.location).toBeUndefined()
      expect(refused.cookies.map(({ name }) => name)).not.toContain('session')
    }
  })

  it('answers a wrong password with 401 and one sentence that never says which part was wrong, and an audit event', async () => {
    const { lines, logger } = captureLogs()
    const app = await appWithClient({}, { logger })
    const { interaction, cookies, csrf } = await openLoginPage(app)
    for (const [userName, password] of [['Jane', 'wrong-password-xyz'], ['nobody', 'another-guess-abc']] as const) {
      const failed = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form({ userName, password, interaction, _csrf: csrf }), cookies, remoteAddress: '203.0.113.1' })
      expect(failed.statusCode).toBe(401)
      expect(failed.body).toContain('<p id="form-error" class="error" role="alert">The user name or password is wrong.</p>')
      expect(failed.body).toMatch(/id="password"[^>]*aria-describedby="form-error"/)
      expect(failed.body).toContain(`value="${userName}"`)
      expect(failed.body).not.toContain(password)
      expect(failed.cookies.map(({ name }) => name)).not.toContain('session')
    }
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.event === 'login_failed')
    expect(events).toMatchObject([
      { event: 'login_failed', via: 'login_page', userName: 'Jane', ip: '203.0.113.1' },
      { event: 'login_failed', via: 'login_page', userName: 'nobody', ip: '203.0.113.1' }
    ])
    const logs = lines.join('')
    for (const password of ['wrong-password-xyz', 'another-guess-abc']) expect(logs).not.toContain(password)
  })

  it('logs in: a new session in an HttpOnly, SameSite=Lax cookie for its whole lifetime, and 303 to the resume path', async () => {
    const { lines, logger } = captureLogs()
    const app = await appWithClient({ SESSION_TTL: '10h' }, { logger })
    const { interaction, cookies, csrf } = await openLoginPage(app)
    const ok = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form({ userName: 'Jane', password: 'pass123', interaction, _csrf: csrf }), cookies })
    expect(ok.statusCode).toBe(303)
    expect(ok.headers.location).toBe(`${AUTHORIZATION_RESUME_PATH}?interaction=${interaction}`)
    expect(ok.headers['set-cookie']).toMatch(/^session=[A-Za-z0-9_-]{43}; Max-Age=36000; Path=\/; HttpOnly; SameSite=Lax$/)
    const handle = cookiesSet(ok).session as string
    const session = await app.sessions.find(handle, NOW)
    expect(session).toMatchObject({ userId: (await app.users.find('Jane'))?.id, authTime: NOW })
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.event === 'login_succeeded'))
      .toMatchObject([{ via: 'login_page', userName: 'Jane', sub: session?.userId }])
    expect(lines.join('')).not.toContain('pass123')
    expect(lines.join('')).not.toContain(handle)

    // A second login in the same browser ends the first session: never two, never the old handle reused.
    const again = await openLoginPage(app)
    const second = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form({ userName: 'John', password: 'testpass', interaction: again.interaction, _csrf: again.csrf }), cookies: { ...again.cookies, session: handle } })
    expect(second.statusCode).toBe(303)
    expect(cookiesSet(second).session).not.toBe(handle)
    expect(await app.sessions.find(handle, NOW)).toBeUndefined()
  })

  it('on an https issuer, sets a __Host- cookie with Secure', async () => {
    const app = await appWithClient({ ISSUER: 'https://auth.test' })
    const { interaction, cookies, csrf } = await openLoginPage(app)
    expect(Object.keys(cookies).sort()).toEqual(['__Host-csrf', '__Host-interaction'])
    const ok = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form({ userName: 'Jane', password: 'pass123', interaction, _csrf: csrf }), cookies })
    expect(ok.statusCode).toBe(303)
    expect(ok.headers['set-cookie']).toMatch(/^__Host-session=[A-Za-z0-9_-]{43}; Max-Age=36000; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
    expect(ok.headers['strict-transport-security']).toBe('max-age=31536000')
  })

  it('refuses a form whose interaction cookie does not match, without checking the password', async () => {
    const app = await appWithClient()
    const { interaction, cookies, csrf } = await openLoginPage(app)
    const other = await startInteraction(app, NOW)
    const refused = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form({ userName: 'Jane', password: 'pass123', interaction, _csrf: csrf }), cookies: { ...cookies, ...other.cookies } })
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('This sign-in was started in another browser')
    expect(refused.cookies.map(({ name }) => name)).not.toContain('session')
  })

  it('asks for both fields when one is empty (400), without counting a failure', async () => {
    const app = await appWithClient()
    const { interaction, cookies, csrf } = await openLoginPage(app)
    const empty = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form({ userName: 'Jane', password: '', interaction, _csrf: csrf }), cookies })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('role="alert">Enter your user name and password.</p>')
  })

  it('answers garbage in any field with a 4xx page, never a 5xx', async () => {
    const app = await appWithClient()
    const { interaction, cookies, csrf } = await openLoginPage(app)
    const valid = { userName: 'Jane', password: 'pass123', interaction, _csrf: csrf }
    const bodies = [
      ...Object.keys(valid).map((name) => ({ ...valid, [name]: 'x'.repeat(5000) })),
      ...Object.keys(valid).map((name) => ({ ...valid, [name]: '\u0000<script>"\'' })),
      ...Object.keys(valid).map((name) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name)))
    ]
    for (const fields of bodies) {
      const response = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...form(fields), cookies })
      expect(response.statusCode, JSON.stringify(fields).slice(0, 80)).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(response.body).not.toContain('<script>')
    }
    const raw = [
      { payload: 'userName=Jane&userName=John', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { payload: JSON.stringify(valid), headers: { 'content-type': 'application/json' } },
      { payload: '%%%', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { payload: '', headers: {} }
    ]
    for (const request of raw) {
      const response = await app.inject({ method: 'POST', url: LOGIN_PAGE_PATH, ...request, cookies })
      expect(response.statusCode, request.payload).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
    }
    for (const query of ['', '?interaction=', `?interaction=${'x'.repeat(300)}`, '?interaction=a&interaction=b']) {
      const response = await app.inject({ method: 'GET', url: `${LOGIN_PAGE_PATH}${query}`, cookies })
      expect(response.statusCode, query).toBe(400)
    }
  })
})
