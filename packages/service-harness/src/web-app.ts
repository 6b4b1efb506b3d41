import { createRequire } from 'node:module'
import { join } from 'node:path'
import { startProcess, type ServiceProcess } from './service-process.js'

/**
 * apps/web's built server (`dist/server/server.js`), resolved through its package's exports. A suite
 * that starts it lists `@repo/web` among its devDependencies, so turbo builds it first.
 */
const webServerEntry = () =>
  createRequire(join(import.meta.dirname, '..', '..', '..', 'apps', 'web', 'package.json')).resolve('@repo/web/server')

/**
 * The built web app on 127.0.0.1:`port`, serving the page that signs in at `issuer` and calls
 * `consumerUrl`; ready. Its address in the browser is `http://localhost:<port>`: another host than the
 * issuer's 127.0.0.1, so the auth service's cookies are not the app's.
 */
export async function startWebApp (
  port: number, { issuer, consumerUrl }: { issuer: string, consumerUrl: string }
): Promise<ServiceProcess> {
  const env = { ISSUER: issuer, CONSUMER_URL: consumerUrl, CLIENT_ID: 'web-app' }
  const web = startProcess('web', webServerEntry(), port, env)
  try {
    await web.waitUntilReady()
  } catch (error) {
    await web.stop()
    throw error
  }
  return web
}

export const webOrigin = (port: number) => `http://localhost:${port}`
