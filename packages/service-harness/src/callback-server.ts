import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A client's loopback redirect endpoint (RFC 8252 §7.3): a server on 127.0.0.1 and a port of the
 * kernel's choosing that records each address a browser is sent to, and answers a small page.
 */
export interface CallbackServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string
  /** `origin` + `path`: the URI to register and to send as `redirect_uri`. */
  uri: (path?: string) => string
  /** Every address requested so far, oldest first. */
  received: URL[]
  /**
   * The first address at `path` not yet taken (waiting for it if need be): what the authorization
   * server sent the browser back with. Rejects after `timeoutMs`.
   */
  next: (path?: string, timeoutMs?: number) => Promise<URL>
  close: () => Promise<void>
}

const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Back at the app</title></head>' +
  '<body><p>Back at the app.</p></body></html>'

function framePage (src: string): string {
  const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  // The load handler marks the body: a refused frame fires `load` too (with an error page inside).
  return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Framing page</title></head><body>' +
    `<iframe title="framed" src="${attribute}" onload="document.body.dataset.loaded='yes'"></iframe></body></html>`
}

/**
 * Starts a callback server. Besides recording callbacks, `GET /frame?src=<url>` answers a page on
 * this origin that puts `src` in an iframe: what a site trying to frame a login page would serve.
 */
export async function startCallbackServer (): Promise<CallbackServer> {
  const received: URL[] = []
  const taken = new Set<URL>()
  const waiters: Array<{ path: string, resolve: (url: URL) => void }> = []
  let origin = ''

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin)
    if (url.pathname === '/frame') {
      const src = url.searchParams.get('src') ?? ''
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(framePage(src))
      return
    }
    received.push(url)
    const waiter = waiters.findIndex(({ path }) => path === url.pathname)
    if (waiter !== -1) {
      taken.add(url)
      waiters.splice(waiter, 1)[0]?.resolve(url)
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE)
  }

  const server = createServer(handle)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    origin,
    uri: (path = '/callback') => `${origin}${path}`,
    received,
    next (path = '/callback', timeoutMs = 15_000) {
      const waiting = received.find((url) => url.pathname === path && !taken.has(url))
      if (waiting) {
        taken.add(waiting)
        return Promise.resolve(waiting)
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(entry), 1)
          reject(new Error(`nothing arrived at ${origin}${path} within ${timeoutMs} ms`))
        }, timeoutMs)
        const entry = { path, resolve: (url: URL) => { clearTimeout(timer); resolve(url) } }
        waiters.push(entry)
      })
    },
    async close () {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    }
  }
}
