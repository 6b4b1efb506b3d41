import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Answers a request itself (returns true) or lets it through to the target (returns false). */
export type Intercept = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>

/**
 * An HTTP proxy on loopback in front of a service: counts requests, and lets a test answer some
 * of them itself (slowly, badly) instead of forwarding them.
 */
export async function startProxy (target: string, intercept: Intercept = () => false) {
  const counter = { requests: 0 }
  const server = createServer(async (request, response) => {
    counter.requests++
    if (await intercept(request, response)) return
    try {
      const upstream = await fetch(`${target}${request.url}`)
      response.writeHead(upstream.status, Object.fromEntries(upstream.headers))
      response.end(Buffer.from(await upstream.arrayBuffer()))
    } catch {
      response.destroy()
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counter,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    }
  }
}
