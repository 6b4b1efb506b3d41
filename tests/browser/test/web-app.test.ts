import { afterAll, beforeAll, describe } from 'vitest'
import { registerBrowserClient } from '@repo/service-harness/browser-clients'
import { freePort } from '@repo/service-harness/free-port'
import type { ServiceProcess } from '@repo/service-harness/service-process'
import { startWebApp, webOrigin } from '@repo/service-harness/web-app'
import { startServices, type Services } from '../src/services.js'
import { webAppCases } from '../src/web-app-cases.js'

describe('apps/web: a single-page app signs people in, calls the consumer, refreshes and signs out (Chromium)', () => {
  let services: Services
  let web: ServiceProcess
  let origin: string

  beforeAll(async () => {
    const webPort = await freePort()
    origin = webOrigin(webPort)
    // A 5 s access token: the page must refresh every few seconds in every case, not only in the one that counts.
    services = await startServices({ TOKEN_TTL: '5s' }, { CORS_ORIGINS: origin })
    await registerBrowserClient(services.authEnv, {
      clientId: 'web-app',
      name: 'Reports web app',
      redirectUris: [`${origin}/callback`],
      postLogoutRedirectUris: [`${origin}/`]
    })
    web = await startWebApp(webPort, { issuer: services.auth.url, consumerUrl: services.consumer.url })
  })
  afterAll(async () => {
    await web?.stop()
    await services?.stop()
  })

  webAppCases(() => ({
    origin, issuer: services.auth.url, consumerUrl: services.consumer.url, fetch, chromiumArgs: []
  }), { screenshots: true })
})
