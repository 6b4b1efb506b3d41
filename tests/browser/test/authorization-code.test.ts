import { join } from 'node:path'
import * as client from 'openid-client'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { startCallbackServer, type CallbackServer } from '@repo/service-harness/callback-server'
import { FormBrowser, fromAddress } from '@repo/service-harness/form-browser'
import { axeViolations, isBlocking } from '../src/axe.js'
import { browserSession } from '../src/chromium.js'
import { showsLoginForm, signIn, signInWithKeyboard } from '../src/login-page.js'
import { relyingParty } from '../src/relying-party.js'
import { startServices, type Services } from '../src/services.js'

const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', '..', 'docs', 'images')
const JANE = { userName: 'Jane', password: 'pass123' }
const JOHN = { userName: 'John', password: 'testpass' }

describe('people log in through the browser: openid-client, the login page, Chromium', () => {
  let services: Services
  let callbacks: CallbackServer
  const browser = browserSession()
  /** A fresh browser profile: no cookies. */
  const newPage = (options: { bypassCSP?: boolean } = {}) => browser.newPage(options)
  const issuer = () => services.auth.url
  const web = () => relyingParty(issuer(), 'web-app', callbacks.uri('/callback'))
  /** The address `page` was sent back to at the callback server's `path`, once the page has loaded it. */
  const landing = async (page: Page, path: string) => {
    const url = await callbacks.next(path)
    await page.waitForURL(url.href)
    return url
  }
  /** Every request the page makes from now on to the login or the consent page. */
  const loginPageRequests = (page: Page) => {
    const seen: string[] = []
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.origin === issuer() && ['/login', '/consent'].includes(url.pathname)) seen.push(`${request.method()} ${url.pathname}`)
    })
    return seen
  }

  beforeAll(async () => {
    services = await startServices()
    callbacks = await startCallbackServer()
    const clients = [
      {
        clientId: 'web-app',
        name: 'The web app',
        redirectUris: [callbacks.uri('/callback')],
        postLogoutRedirectUris: [callbacks.uri('/signed-out')]
      },
      { clientId: 'other-app', name: 'Another app', redirectUris: [callbacks.uri('/other')] },
      { clientId: 'par-app', name: 'The PAR app', redirectUris: [callbacks.uri('/par')], requirePar: true },
      { clientId: 'partner-app', name: 'Partner app', redirectUris: [callbacks.uri('/partner')], thirdParty: true }
    ]
    // One at a time: each is a CLI process on the service's database.
    for (const registered of clients) await registerBrowserClient(services.authEnv, registered)
  })
  afterAll(async () => {
    await browser.close()
    await callbacks?.close()
    await services?.stop()
  })

  it('logs in, calls the consumer and userinfo, gets a second client in without a password, and logs out', async () => {
    const page = await newPage()
    const logins = loginPageRequests(page)
    const rp = await web()

    const pending = await rp.authorize()
    await page.goto(pending.url.href)
    expect(await showsLoginForm(page), services.auth.output()).toBe(true)
    await expect(page.getByText('The web app').count()).resolves.toBeGreaterThan(0)
    await signIn(page, JANE.userName, JANE.password)
    const callback = await landing(page, '/callback')
    expect(callback.searchParams.get('iss')).toBe(issuer())

    const tokens = await rp.finish(callback, pending)
    const idToken = tokens.claims()
    expect(idToken).toMatchObject({ iss: issuer(), aud: 'web-app', nonce: pending.nonce, sid: expect.any(String) })
    expect(idToken?.auth_time).toEqual(expect.any(Number))
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'openid reports:read', refresh_token: expect.any(String) })

    const reports = await fetch(`${services.consumer.url}/api/v1/reports`, {
      headers: { authorization: `Bearer ${tokens.access_token}` }
    })
    expect(reports.status, await reports.clone().text()).toBe(200)
    const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, idToken?.sub as string)
    expect(userinfo).toEqual({ sub: idToken?.sub, preferred_username: 'Jane', role: 'write' })

    // Single sign-on: another client in the same browser, no login page on the way.
    const other = await relyingParty(issuer(), 'other-app', callbacks.uri('/other'))
    const otherPending = await other.authorize()
    await page.goto(otherPending.url.href)
    const otherTokens = await other.finish(await landing(page, '/other'), otherPending)
    expect(otherTokens.claims()).toMatchObject({ sub: idToken?.sub, aud: 'other-app', sid: idToken?.sid })
    expect(logins).toEqual(['GET /login', 'POST /login'])

    // RP-initiated logout: the session ends, its refresh tokens with it.
    await page.goto(client.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: callbacks.uri('/signed-out'),
      state: 'bye'
    }).href)
    expect((await landing(page, '/signed-out')).searchParams.get('state')).toBe('bye')
    await expect(client.refreshTokenGrant(rp.config, tokens.refresh_token as string))
      .rejects.toMatchObject({ error: 'invalid_grant' })
    await expect(client.refreshTokenGrant(other.config, otherTokens.refresh_token as string))
      .rejects.toMatchObject({ error: 'invalid_grant' })

    // The next authorization needs the password again.
    await page.goto((await rp.authorize()).url.href)
    expect(await showsLoginForm(page)).toBe(true)
    expect(logins).toEqual(['GET /login', 'POST /login', 'GET /login'])
  })

  it('logs a --require-par client in through a pushed request, and only that way (signing in by keyboard)', async () => {
    const page = await newPage()
    const rp = await relyingParty(issuer(), 'par-app', callbacks.uri('/par'))
    const pending = await rp.authorize({ par: true })
    expect([...pending.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    await page.goto(pending.url.href)
    await expect(page.getByText('The PAR app').count()).resolves.toBeGreaterThan(0)
    await signInWithKeyboard(page, JANE.userName, JANE.password)
    const tokens = await rp.finish(await landing(page, '/par'), pending)
    expect(tokens.claims()).toMatchObject({ iss: issuer(), aud: 'par-app', nonce: pending.nonce })

    const direct = await rp.authorize()
    await page.goto(direct.url.href)
    const refused = await landing(page, '/par')
    expect(refused.searchParams.get('error')).toBe('invalid_request')
    expect(refused.searchParams.get('state')).toBe(direct.state)
    expect(refused.searchParams.has('code')).toBe(false)
  })

  it('asks the user\'s consent for a third-party client once: Deny is access_denied, Allow is remembered', async () => {
    const page = await newPage({ bypassCSP: true })
    const rp = await relyingParty(issuer(), 'partner-app', callbacks.uri('/partner'))
    const denied = await rp.authorize()
    await page.goto(denied.url.href)
    await signIn(page, JANE.userName, JANE.password)
    await page.getByRole('heading', { name: 'Allow Partner app?' }).waitFor()
    expect((await axeViolations(page)).filter(isBlocking)).toEqual([])
    await page.getByRole('button', { name: 'Deny' }).click()
    const refusal = await landing(page, '/partner')
    expect(Object.fromEntries(refusal.searchParams)).toMatchObject({ error: 'access_denied', state: denied.state, iss: issuer() })

    // Signed in already: straight to the question again, then in.
    const allowed = await rp.authorize()
    await page.goto(allowed.url.href)
    await page.getByRole('button', { name: 'Allow' }).click()
    const tokens = await rp.finish(await landing(page, '/partner'), allowed)
    expect(tokens.claims()).toMatchObject({ aud: 'partner-app', nonce: allowed.nonce })

    // Remembered: no question the next time.
    const logins = loginPageRequests(page)
    const again = await rp.authorize()
    await page.goto(again.url.href)
    await expect(rp.finish(await landing(page, '/partner'), again)).resolves.toMatchObject({ token_type: 'bearer' })
    expect(logins).toEqual([])
  })

  it('refuses a callback whose state was changed on the way back (openid-client), and takes the real one', async () => {
    const page = await newPage()
    const rp = await web()
    const pending = await rp.authorize()
    await page.goto(pending.url.href)
    await signIn(page, JANE.userName, JANE.password)
    const callback = await landing(page, '/callback')
    const tampered = new URL(callback)
    tampered.searchParams.set('state', client.randomState())
    // openid-client's ClientError, wrapping oauth4webapi's finding.
    await expect(rp.finish(tampered, pending)).rejects.toMatchObject({
      code: 'OAUTH_INVALID_RESPONSE',
      cause: { message: 'unexpected "state" response parameter value', code: 'OAUTH_INVALID_RESPONSE' }
    })
    // The refusal is the client's, before any token request: the untouched callback still works.
    await expect(rp.finish(callback, pending)).resolves.toMatchObject({ token_type: 'bearer' })
  })

  it('has a login page with no serious or critical accessibility violation (axe-core)', async () => {
    const page = await newPage({ bypassCSP: true })
    await page.goto((await (await web()).authorize()).url.href)
    expect(await showsLoginForm(page)).toBe(true)
    const violations = await axeViolations(page)
    if (violations.length > 0) console.info('axe-core, minor and moderate findings:', JSON.stringify(violations, null, 2))
    expect(violations.filter(isBlocking)).toEqual([])
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await page.setViewportSize({ width: 800, height: 640 })
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'login-page.png') })
    }
  })

  it('forbids framing the login page by its headers, and Chromium leaves the frame empty', async () => {
    const page = await newPage()
    const response = await page.goto((await (await web()).authorize()).url.href)
    const loginUrl = page.url()
    expect(new URL(loginUrl).pathname).toBe('/login')
    const headers = response?.headers() ?? {}
    expect(headers['content-security-policy']).toContain('frame-ancestors \'none\'')
    expect(headers['x-frame-options']).toBe('DENY')

    // A page on another origin frames it: the login form never shows inside.
    const framing = await page.context().newPage()
    const framed = async (src: string) => {
      await framing.goto(`${callbacks.origin}/frame?src=${encodeURIComponent(src)}`)
      await framing.locator('body[data-loaded="yes"]').waitFor()
      const frame = framing.frames().find((candidate) => candidate !== framing.mainFrame())
      if (!frame) throw new Error('no iframe')
      return frame
    }
    const login = await framed(loginUrl)
    expect(login.url()).not.toBe(loginUrl)
    expect(await login.getByLabel('Password').count()).toBe(0)
    // The same frame shows a page that does not forbid it: the check above can see content.
    const health = await framed(`${issuer()}/health/live`)
    expect(health.url()).toBe(`${issuer()}/health/live`)
    expect(await health.locator('body').textContent()).toContain('ok')
  })

  it('answers the sixth wrong password with the wait, and the real user still gets in from another address', async () => {
    const page = await newPage()
    const rp = await web()
    await page.goto((await rp.authorize()).url.href)
    const attempt = async () => {
      const [answer] = await Promise.all([
        page.waitForResponse((candidate) =>
          new URL(candidate.url()).pathname === '/login' && candidate.request().method() === 'POST'),
        signIn(page, JOHN.userName, 'not his password')
      ])
      return answer
    }
    for (let failure = 1; failure <= 5; failure++) {
      expect((await attempt()).status()).toBe(401)
      await expect(page.getByRole('alert').textContent()).resolves.toContain('The user name or password is wrong')
    }
    const sixth = await attempt()
    expect(sixth.status()).toBe(429)
    const retryAfter = Number(sixth.headers()['retry-after'])
    expect(retryAfter).toBeGreaterThan(60)
    const minutes = Math.ceil(retryAfter / 60)
    await expect(page.locator('body').textContent())
      .resolves.toContain(`Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`)

    // John, from another machine (127.0.0.2): his own password still works there.
    const elsewhere = new FormBrowser({ init: fromAddress('127.0.0.2') })
    const pending = await rp.authorize()
    const loginPage = await elsewhere.get(pending.url)
    expect(loginPage.url.pathname).toBe('/login')
    const landed = await elsewhere.submit(loginPage, { userName: JOHN.userName, password: JOHN.password })
    expect(landed.url.origin + landed.url.pathname).toBe(callbacks.uri('/callback'))
    const tokens = await rp.finish(await callbacks.next('/callback'), pending)
    expect(await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()?.sub as string))
      .toMatchObject({ preferred_username: 'John', role: 'read' })
  })
})
