import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserSession } from '../src/chromium.js'
import { startServices, type Services } from '../src/services.js'
import { operationsOf, renderedOperations } from '../src/swagger-ui.js'

const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', '..', 'docs', 'images')

describe('the /docs pages in Chromium', () => {
  const browser = browserSession()
  let services: Services | undefined

  beforeAll(async () => {
    services = await startServices()
  })
  afterAll(async () => {
    await browser.close()
    await services?.stop()
  })

  it.each([
    { service: 'auth' as const, screenshot: 'auth-docs.png', expected: ['POST /api/v1/auth', 'POST /oauth/token', 'POST /oauth/revoke', 'GET /.well-known/jwks.json'] },
    { service: 'consumer' as const, screenshot: 'consumer-docs.png', expected: ['GET /api/v1/protected', 'GET /api/v1/reports', 'POST /api/v1/reports'] }
  ])('render every operation of the $service service, fetching nothing from outside', async ({ service, screenshot, expected }) => {
    const { url, output } = services![service]
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    try {
      const requested: string[] = []
      const failed: string[] = []
      page.on('request', (request) => { requested.push(request.url()) })
      page.on('requestfailed', (request) => { failed.push(`${request.url()}: ${request.failure()?.errorText}`) })

      const response = await page.goto(`${url}/docs`)
      expect(response?.status(), output()).toBe(200)
      const rendered = await renderedOperations(page)
      const doc = await (await fetch(`${url}/docs/json`)).json() as Parameters<typeof operationsOf>[0]

      expect(rendered).toEqual(expect.arrayContaining(expected))
      expect([...rendered].sort()).toEqual(operationsOf(doc).sort())
      // Everything the page loaded came from the service itself: the UI's assets are bundled.
      const outside = requested.filter((address) => !address.startsWith('data:') && new URL(address).hostname !== '127.0.0.1')
      expect(outside).toEqual([])
      expect(failed).toEqual([])

      if (process.env.UPDATE_SCREENSHOTS === '1') {
        await mkdir(SCREENSHOT_DIR, { recursive: true })
        await page.screenshot({ path: join(SCREENSHOT_DIR, screenshot), fullPage: true })
      }
    } finally {
      await page.context().close()
    }
  })
})
