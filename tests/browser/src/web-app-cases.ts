import { join } from 'node:path'
import { decodeJwt } from 'jose'
import type { Page } from 'playwright-core'
import { afterAll, expect, it, vi } from 'vitest'
import { axeViolations, isBlocking } from './axe.js'
import { browserSession, type BrowserSession } from './chromium.js'
import { proofByAnotherKey } from './foreign-proof.js'
import { showsLoginForm, signIn } from './login-page.js'
import { storedDpopKey } from './page-dpop-key.js'
import { heapHolds, watchPageShows } from './page-shows.js'
import { keptByPage, offMachine, watchPage } from './page-watch.js'

const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', '..', 'docs', 'images')
const JANE = { userName: 'Jane', password: 'pass123' }
const JOHN = { userName: 'John', password: 'testpass' }

/**
 * A running deployment of the web app, as the browser and the test see it. It must have: the auth service
 * issuing 5 s access tokens (`TOKEN_TTL=5s`) with the seeded users Jane and John; the public client
 * `web-app` registered with `<origin>/callback` and `<origin>/` as its redirect URIs; the consumer
 * allowing `origin` (`CORS_ORIGINS`).
 */
export interface WebAppTarget {
  /** The web app's origin, e.g. `http://localhost:8080`. */
  origin: string
  /** The auth service's issuer URL as the browser sees it: requests are told apart by it. */
  issuer: string
  /** The consumer's URL as the browser sees it. */
  consumerUrl: string
  /** A Node fetch that reaches `issuer` (the test refreshes and revokes tokens itself). */
  fetch: typeof fetch
  /** Flags Chromium needs to reach them (an issuer's route: issuer-route.ts). */
  chromiumArgs: string[]
}

/**
 * The web app's cases, defined inside the caller's `describe`: `target` is read once the caller's
 * `beforeAll` has started the deployment. `screenshots` lets `UPDATE_SCREENSHOTS=1` redraw docs/images
 * (one deployment should: the pictures are the same).
 */
export function webAppCases (
  target: () => WebAppTarget, { screenshots = false }: { screenshots?: boolean } = {}
): void {
  const browser = browserSession(() => ({ args: target().chromiumArgs }))
  // Playwright turns Chromium's back/forward cache off by default; what a person meets after Back needs it on.
  const withBackForwardCache = browserSession(() => ({
    args: target().chromiumArgs, ignoreDefaultArgs: ['--disable-back-forward-cache']
  }))
  afterAll(async () => {
    await Promise.all([browser.close(), withBackForwardCache.close()])
  })

  const issuerOrigin = () => new URL(target().issuer).origin
  const tokenEndpoint = () => `${issuerOrigin()}/oauth/token`

  /** A fresh browser profile (`bypassCSP` only where axe-core is injected), watched. */
  const newPage = async (options: { bypassCSP?: boolean } = {}, session: BrowserSession = browser) => {
    const page = await session.newPage(options)
    return { page, context: page.context(), watch: watchPage(page, tokenEndpoint()) }
  }

  /** Checks the screen for accessibility (axe-core), naming it in the failure. */
  const expectAccessible = async (page: Page, screen: string) => {
    expect((await axeViolations(page)).filter(isBlocking), screen).toEqual([])
  }

  /** `UPDATE_SCREENSHOTS=1`: the screen as docs/images/web-<name>.png (apps/web/README.md shows them). */
  const screenshot = async (page: Page, name: string) => {
    if (!screenshots || process.env.UPDATE_SCREENSHOTS !== '1') return
    await page.setViewportSize({ width: 800, height: 720 })
    await page.screenshot({ path: join(SCREENSHOT_DIR, `web-${name}.png`) })
  }

  const signedOutHeading = (page: Page) => page.getByRole('heading', { name: 'You are signed out' })
  const reportsHeading = (page: Page) => page.getByRole('heading', { name: 'Reports', exact: true })

  /** From the app's first screen through the auth service's login page, back to the signed-in screen. */
  const signInThroughApp = async (page: Page, user: { userName: string, password: string }) => {
    await page.goto(target().origin)
    await signedOutHeading(page).waitFor()
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.origin === issuerOrigin())
    expect(await showsLoginForm(page)).toBe(true)
    await signIn(page, user.userName, user.password)
    await reportsHeading(page).waitFor()
  }

  /** Whether the auth service takes `refreshToken` from this client (with `proof`): its token endpoint's answer. */
  const refreshWith = (refreshToken: string, proof?: string) => target().fetch(tokenEndpoint(), {
    method: 'POST',
    headers: proof === undefined ? {} : { dpop: proof },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'web-app' })
  })

  it('signs Jane in, lists her reports and creates one; no token is kept anywhere but memory', async () => {
    const { page, context, watch } = await newPage({ bypassCSP: true })
    await page.goto(target().origin)
    await signedOutHeading(page).waitFor()
    await expectAccessible(page, 'signed out')
    await screenshot(page, 'signed-out')
    await signInThroughApp(page, JANE)
    expect(new URL(page.url()).href).toBe(`${target().origin}/`)
    await expect(page.getByText('You are signed in as Jane (role: write).').count()).resolves.toBe(1)
    const abilities = 'Your sign-in lets this page know who you are, read reports, and create reports.'
    await expect(page.getByText(abilities).count()).resolves.toBe(1)
    await expectAccessible(page, 'reports')

    await page.getByLabel('Title').fill('Quarterly numbers')
    await page.getByRole('button', { name: 'Create report' }).click()
    await page.getByText('Report “Quarterly numbers” created.').waitFor()
    await expect(page.getByRole('listitem').filter({ hasText: 'Quarterly numbers by you' }).count()).resolves.toBe(1)
    await screenshot(page, 'reports')

    const kept = await keptByPage(page, context)
    expect(watch.tokens().length).toBeGreaterThanOrEqual(3)
    for (const token of watch.tokens()) expect(kept).not.toContain(token)
    expect(kept).not.toMatch(/code=|access_token|refresh_token|id_token/)
    expect(offMachine(watch.requests)).toEqual([])
  })

  it('tells John, who may only read, that he may not create a report', async () => {
    const { page, watch } = await newPage()
    await signInThroughApp(page, JOHN)
    const abilities = 'Your sign-in lets this page know who you are and read reports.'
    await expect(page.getByText(abilities).count()).resolves.toBe(1)
    await page.getByLabel('Title').fill('Not allowed')
    await page.getByRole('button', { name: 'Create report' }).click()
    await page.getByText('Your account may read reports but not create them. Ask an administrator for write access.')
      .waitFor()
    await expect(page.getByText('insufficient_scope').count()).resolves.toBe(0)
    await screenshot(page, 'read-only')
    // This context enforces the app's CSP: the page needed nothing it forbids.
    expect(watch.cspViolations).toEqual([])
  })

  it('keeps working across several refreshes of a 5 s access token', async () => {
    const { page, watch } = await newPage()
    await signInThroughApp(page, JANE)
    const refreshes = () => watch.grants.filter((grant) => grant === 'refresh_token').length
    await vi.waitUntil(() => refreshes() >= 3, { timeout: 20_000, interval: 200 })
    expect(watch.grants.filter((grant) => grant === 'authorization_code')).toHaveLength(1)

    await page.getByLabel('Title').fill('After three refreshes')
    await page.getByRole('button', { name: 'Create report' }).click()
    await page.getByText('Report “After three refreshes” created.').waitFor()
    expect(offMachine(watch.requests)).toEqual([])
    expect(watch.cspViolations).toEqual([])
  })

  it('comes back signed in after a reload, without the password (prompt=none on the auth service\'s session)',
    async () => {
      const { page, watch } = await newPage()
      await signInThroughApp(page, JANE)
      const before = watch.requests.length
      await page.reload()
      await reportsHeading(page).waitFor()
      const after = watch.requests.slice(before)
      expect(after.filter((url) => new URL(url).pathname === '/login')).toEqual([])
      const authorize = after.find((url) => new URL(url).pathname === '/authorize')
      expect(new URL(authorize as string).searchParams.get('prompt')).toBe('none')
    })

  it('binds the page\'s tokens to a key it cannot export: copied out of the page, they are refused', async () => {
    const { page, watch } = await newPage()
    await signInThroughApp(page, JANE)
    // Copied right after one of the page's refreshes: alive for a few seconds, and the page's current pair.
    const answered = watch.accessTokens.length
    await vi.waitUntil(() => watch.accessTokens.length > answered, { timeout: 10_000, interval: 50 })
    const grantsBefore = watch.grants.length
    const accessToken = watch.accessTokens.at(-1) as string
    const refreshToken = watch.refreshTokens.at(-1) as string
    expect(watch.tokenTypes.length).toBeGreaterThanOrEqual(2)
    expect(watch.tokenTypes.filter((type) => type !== 'DPoP')).toEqual([])
    const { cnf, exp } = decodeJwt<{ cnf?: { jkt?: string } }>(accessToken)
    expect(cnf?.jkt).toMatch(/^[\w-]{43}$/)
    const authorize = watch.requests.filter((url) => new URL(url).pathname === '/authorize').at(-1) as string
    expect(new URL(authorize).searchParams.get('dpop_jkt')).toBe(cnf?.jkt)
    // The key the tokens are bound to is in IndexedDB, where any script of the page finds it: usable, not readable.
    await expect(storedDpopKey(page)).resolves.toEqual({
      privateExtractable: false, publicExtractable: true, privateExport: 'InvalidAccessError', jkt: cnf?.jkt
    })

    const reports = `${target().consumerUrl}/api/v1/reports`
    // Every challenge names the consumer's resource metadata (RFC 9728), at the origin called.
    const metadata = `resource_metadata="${new URL(target().consumerUrl).origin}/.well-known/oauth-protected-resource"`
    const asBearer = await fetch(reports, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(asBearer.status).toBe(401)
    // Two challenges in one value (fetch joins header lines with ", "); the realm is the deployment's.
    const challenges = asBearer.headers.get('www-authenticate')
    const realm = /^Bearer realm="([^"]+)", /.exec(challenges ?? '')?.[1]
    expect(challenges).toBe(`Bearer realm="${realm}", error="invalid_token", ` +
      `error_description="The access token is invalid", ${metadata}, DPoP algs="ES256 EdDSA RS256 PS256", ${metadata}`)
    const anotherKey = await fetch(reports, {
      headers: { authorization: `DPoP ${accessToken}`, dpop: await proofByAnotherKey('GET', reports, accessToken) }
    })
    expect(anotherKey.status).toBe(401)
    expect(anotherKey.headers.get('www-authenticate')).toBe('DPoP algs="ES256 EdDSA RS256 PS256", ' +
      `error="invalid_token", error_description="The access token is invalid", ${metadata}`)
    // Refused for the key, not for age ("invalid", not "expired"): the token was still alive.
    expect(Date.now() / 1000).toBeLessThan(exp as number)

    for (const proof of [undefined, await proofByAnotherKey('POST', tokenEndpoint())]) {
      const refused = await refreshWith(refreshToken, proof)
      expect(refused.status).toBe(400)
      expect(await refused.json()).toMatchObject({ error: 'invalid_grant' })
    }
    // The page asked for nothing meanwhile: the refresh token was its current one, refused only for the key...
    expect(watch.grants.length).toBe(grantsBefore)
    // ...and left unused: the page's own next refresh, with its key, is accepted.
    const renewed = watch.refreshTokens.length
    await vi.waitUntil(() => watch.refreshTokens.length > renewed, { timeout: 10_000, interval: 50 })
    expect(watch.refreshTokens.at(-2)).toBe(refreshToken)
  })

  it('signs out: the signed-out page; Back, with the back/forward cache on, shows it again and no token in memory; ' +
    'the old refresh token is refused', async () => {
    const { page, context, watch } = await newPage({ bypassCSP: true }, withBackForwardCache)
    const shows = await watchPageShows(page)
    await signInThroughApp(page, JANE)
    const refreshToken = watch.refreshTokens.at(-1) as string
    // The probe sees tokens where they are: the signed-in page holds its refresh token.
    await expect(heapHolds(page, [refreshToken])).resolves.toEqual([refreshToken])
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByText('You have signed out.', { exact: false }).waitFor()
    expect(watch.requests.some((url) => new URL(url).pathname === '/oauth/revoke')).toBe(true)
    // The DPoP key went with the session: nothing in this browser can sign for its tokens any more.
    await expect(storedDpopKey(page)).resolves.toBeNull()
    await expectAccessible(page, 'signed out after sign-out')

    const before = shows.length
    // A document restored from the back/forward cache fires no load event: wait only for the commit.
    await page.goBack({ waitUntil: 'commit' })
    await signedOutHeading(page).waitFor()
    const afterBack = shows.slice(before)
    // Chromium either loaded the signed-in page afresh, or restored it (tokens in memory) and the page
    // reloaded itself: what is shown now is never the restored document.
    const [first] = afterBack
    expect(first?.persisted === true || first?.navigationType === 'back_forward', JSON.stringify(afterBack)).toBe(true)
    expect(afterBack.at(-1)?.persisted).toBe(false)
    await expect(reportsHeading(page).count()).resolves.toBe(0)
    expect(await heapHolds(page, watch.tokens())).toEqual([])
    const refused = await refreshWith(refreshToken)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' })
    expect(await keptByPage(page, context)).not.toContain(refreshToken)
  })

  it('refuses a callback opened by hand or twice, with a sentence and a button', async () => {
    const { page, watch } = await newPage({ bypassCSP: true })
    await page.goto(`${target().origin}/callback?code=made-up&state=made-up`)
    await page.getByText('This sign-in link has already been used or was not started from this page.',
      { exact: false }).waitFor()
    await expectAccessible(page, 'fault')
    await screenshot(page, 'fault')
    expect(watch.grants).toEqual([])

    await signInThroughApp(page, JANE)
    const callback = watch.requests.find((url) => url.startsWith(`${target().origin}/callback?`)) as string
    await page.goto(callback)
    await page.getByText('This sign-in link has already been used', { exact: false }).waitFor()
    await page.getByRole('button', { name: 'Sign in again' }).click()
    // The auth service's session is still there: straight back in.
    await reportsHeading(page).waitFor()
  })

  it('says so when the auth service or the consumer cannot be reached', async () => {
    const { page, context } = await newPage()
    await signInThroughApp(page, JANE)
    await context.route(`${target().consumerUrl}/**`, (route) => route.abort('connectionrefused'))
    await page.getByLabel('Title').fill('Into the void')
    await page.getByRole('button', { name: 'Create report' }).click()
    await page.getByText('The reports service cannot be reached right now.', { exact: false }).waitFor()
    await context.unroute(`${target().consumerUrl}/**`)
    await page.getByRole('button', { name: 'Try again' }).click()
    await reportsHeading(page).waitFor()

    await context.route(`${issuerOrigin()}/**`, (route) => route.abort('connectionrefused'))
    await page.reload()
    await page.getByText('The sign-in service cannot be reached right now.', { exact: false }).waitFor()
    await expect(page.getByRole('button', { name: 'Try again' }).count()).resolves.toBe(1)
  })

  it('refuses a callback whose iss is not the issuer (RFC 9207), before any token request', async () => {
    const { page, context, watch } = await newPage()
    await signInThroughApp(page, JANE)
    let tampered = false
    // Stands in for a mix-up attacker: with a session, /authorize redirects straight back to the app, naming
    // another issuer. (Only a navigation's first request can be routed, so the reload's /authorize is.) It is
    // asked through the target's fetch, with the browser's cookies at the auth service: Playwright's own
    // route.fetch would not follow Chromium's host rules to a routed issuer.
    await context.route((url) => url.origin === issuerOrigin() && url.pathname === '/authorize', async (route) => {
      const url = route.request().url()
      const cookie = (await context.cookies(url)).map(({ name, value }) => `${name}=${value}`).join('; ')
      const response = await target().fetch(url, { redirect: 'manual', headers: { cookie } })
      const location = new URL(response.headers.get('location') as string)
      location.searchParams.set('iss', 'http://127.0.0.1:1')
      tampered = true
      await route.fulfill({ status: response.status, headers: { location: location.href } })
    })
    const grantsBefore = watch.grants.length
    await page.reload()
    await page.getByText('The answer from the sign-in service could not be trusted', { exact: false }).waitFor()
    expect(tampered).toBe(true)
    expect(watch.grants.slice(grantsBefore).filter((grant) => grant === 'authorization_code')).toEqual([])
    await expect(page.getByRole('button', { name: 'Sign in again' }).count()).resolves.toBe(1)
  })

  it('says the session has ended when the refresh token stops working, and offers to sign in again', async () => {
    const { page, watch } = await newPage()
    await signInThroughApp(page, JANE)
    const revoked = await target().fetch(`${issuerOrigin()}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: watch.refreshTokens.at(-1) as string, client_id: 'web-app' })
    })
    expect(revoked.status).toBe(200)
    // The next scheduled refresh (a 5 s token: within about 4 s) is refused.
    await page.getByText('Your session has ended. Please sign in again.').waitFor({ timeout: 10_000 })
    await page.getByRole('button', { name: 'Sign in again' }).click()
    await reportsHeading(page).waitFor()
  })
}
