import { setTimeout as sleep } from 'node:timers/promises'
import { startProxy } from '@repo/service-harness/proxy'

export type FaultMode = 'pass' | 'slow' | 'html' | 'garbage' | 'huge'

/**
 * A proxy in front of the auth service that can answer slowly or badly, to put the consumer's
 * JWKS fetch through the faults a real network produces.
 */
export async function startFaultProxy (target: string) {
  const state = { mode: 'pass' as FaultMode }
  const proxy = await startProxy(target, async (request, response) => {
    switch (state.mode) {
      case 'html':
        response.writeHead(502, { 'content-type': 'text/html' })
        response.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
        return true
      case 'garbage':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [{"kty": ')
        return true
      case 'huge':
        response.writeHead(200, { 'content-type': 'application/json' })
        for (let i = 0; i < 64; i++) response.write(`${i === 0 ? '{"keys":[],"pad":"' : ''}${'x'.repeat(16 * 1024)}`)
        response.end('"}')
        return true
      case 'slow':
        await sleep(3000)
        return false
      default:
        return false
    }
  })
  return { url: proxy.url, state, close: proxy.close }
}
