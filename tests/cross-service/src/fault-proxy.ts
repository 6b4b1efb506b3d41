import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export type FaultMode = 'pass' | 'slow' | 'html' | 'garbage' | 'huge'

/**
 * An HTTP proxy on loopback in front of the auth service that can answer slowly or badly, to
 * put the consumer's JWKS fetch through the faults a real network produces.
 */
export async function startFaultProxy (target: string) {
  const state = { mode: 'pass' as FaultMode, requests: 0 }
  const server = createServer(async (request, response) => {
    state.requests++
    const mode = state.mode
    if (mode === 'html') return response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>')
    if (mode === 'garbage') return response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [{"kty": ')
    if (mode === 'huge') {
      response.writeHead(200, { 'content-type': 'application/json' })
      for (let i = 0; i < 64; i++) response.write(`${i === 0 ? '{"keys":[],"pad":"' : ''}${'x'.repeat(16 * 1024)}`)
      return response.end('"}')
    }
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 3000))
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
    state,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    }
  }
}
