import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserClientArgs } from '@repo/service-harness/browser-clients'
import { startCallbackServer, type CallbackServer } from '@repo/service-harness/callback-server'
import { requireDockerEngine, upComposeStack, type ComposeStack } from '@repo/service-harness/compose-stack'
import { call } from '@repo/service-harness/http'
import { launchChromium } from '../src/chromium.js'
import { issuerRoute, type IssuerRoute } from '../src/issuer-route.js'
import { showsLoginForm, signIn } from '../src/login-page.js'
import { relyingParty } from '../src/relying-party.js'
import { webAppCases } from '../src/web-app-cases.js'

const dockerReachable = await requireDockerEngine('compose browser test')

/** docker-compose.yml's ISSUER: one identifier for the consumer on the compose network and the browser on the host. */
const ISSUER = 'http://auth.localhost:3001'

describe.skipIf(!dockerReachable)('docker compose up: people sign in through the browser', () => {
  let stack: ComposeStack
  let route: IssuerRoute

  beforeAll(async () => {
    try {
      // 5 s access tokens: the web app's cases watch it refresh.
      stack = await upComposeStack({ env: { TOKEN_TTL: '5s' } })
      // The stack publishes the auth service on a free port, not 3001: the issuer's URL is routed there.
      route = issuerRoute(ISSUER, Number(new URL(stack.authUrl).port))
    } catch (error) {
      await stack?.down().catch(() => {})
      throw error
    }
  }, 600_000) // building the images on a cold cache takes minutes on a 2-core machine

  afterAll(async () => {
    await route?.close()
    await stack?.down()
  }, 60_000)

  describe('an app of its own, openid-client at its side', () => {
    let callbacks: CallbackServer
    let browser: Browser

    beforeAll(async () => {
      callbacks = await startCallbackServer()
      const auth = await stack.container('auth-service')
      await auth.exec(['node', 'dist/cli/clients.js', ...browserClientArgs({
        clientId: 'compose-app', name: 'Compose app', redirectUris: [callbacks.uri('/callback')]
      })])
      browser = await launchChromium({ args: route.chromiumArgs })
    })

    afterAll(async () => {
      await browser?.close()
      await callbacks?.close()
    })

    it('logs Jane in at the issuer\'s URL, and the consumer accepts her token through the same issuer', async () => {
      const rp = await relyingParty(ISSUER, 'compose-app', callbacks.uri('/callback'), { fetch: route.fetch })
      expect(rp.config.serverMetadata().authorization_endpoint).toBe(`${ISSUER}/authorize`)
      const page = await browser.newPage()
      const pending = await rp.authorize({ scope: 'openid reports:read reports:write' })
      await page.goto(pending.url.href)
      expect(new URL(page.url()).origin).toBe(ISSUER)
      expect(await showsLoginForm(page)).toBe(true)
      await signIn(page, 'Jane', 'pass123')
      const callback = await callbacks.next('/callback')
      expect(callback.searchParams.get('iss')).toBe(ISSUER)

      const tokens = await rp.finish(callback, pending)
      expect(tokens.claims()).toMatchObject({ iss: ISSUER, aud: 'compose-app' })
      // The consumer fetched the keys from http://auth.localhost:3001 on the compose network.
      const reports = await call(`${stack.consumerUrl}/api/v1/reports`, tokens.access_token)
      expect(reports.status).toBe(200)
      const created = await call(`${stack.consumerUrl}/api/v1/reports`, tokens.access_token, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'from the browser' })
      })
      expect(created.status).toBe(201)

      // Single sign-on: a second authorization in the same browser comes back without the login page.
      const again = await rp.authorize()
      await page.goto(again.url.href)
      const second = await callbacks.next('/callback')
      expect((await rp.finish(second, again)).claims()?.sid).toBe(tokens.claims()?.sid)
    })
  })

  // The stack's own `web` service, registered by its one-shot `register-web-app`: nothing set up here.
  describe('the web service, as a person opens it', () => {
    webAppCases(() => ({
      origin: stack.webUrl,
      issuer: ISSUER,
      // As the web service tells the page (CONSUMER_URL: http://localhost:${CONSUMER_PORT}).
      consumerUrl: `http://localhost:${new URL(stack.consumerUrl).port}`,
      fetch: route.fetch,
      chromiumArgs: route.chromiumArgs
    }))
  })
})
