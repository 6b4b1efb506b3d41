import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Forwards to `target` and counts requests: how the flood scenario sees the JWKS fetches. */
export async function startCountingProxy (target: string) {
  const counter = { requests: 0 }
  const server = createServer(async (request, response) => {
    counter.requests++
    try {
      const upstream = await fetch(`${target}${request.url}`)
      response.writeHead(upstream.status, Object.fromEntries(upstream.headers)).end(Buffer.from(await upstream.arrayBuffer()))
    } catch {
      response.destroy()
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counter,
    close: async () => { server.closeAllConnections(); server.close(); await once(server, 'close') }
  }
}
